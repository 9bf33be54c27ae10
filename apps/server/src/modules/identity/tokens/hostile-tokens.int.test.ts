import { createPublicKey, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import {
  epoch,
  type Json,
  newEcKey,
  type OwnKey,
  ownSigningKey,
  signJwt,
  unsignedJwt,
} from '../../../../test/oauth-tokens.ts';

/**
 * Story 8.1: every hostile token is the accepted control token with ONE thing changed, and each is refused with
 * its own problem code and a Bearer challenge. Tokens are signed here with the authorization server's real keys.
 */
let t: TestApp;
let es: OwnKey;
let rs: OwnKey;
const PUBLIC = 'http://127.0.0.1:0';
const ISSUER = `${PUBLIC}/oidc`;
const CLIENT = 'scc_hostile_tokens_ci';

beforeAll(async () => {
  t = await startTestApp();
  es = await ownSigningKey(t.database.db, 'ES256');
  rs = await ownSigningKey(t.database.db, 'RS256');
  await t.sc.users.grantAsSystem(
    { type: 'system', id: 'test', orgId: t.orgId },
    { type: 'client', id: CLIENT },
    ['viewer'],
  );
});
afterAll(() => t.stop());

function control(): { header: Json; claims: Json } {
  const now = epoch();
  return {
    header: { alg: 'ES256', typ: 'at+jwt', kid: es.kid },
    claims: {
      iss: ISSUER,
      sub: CLIENT,
      client_id: CLIENT,
      aud: `${PUBLIC}/v1`,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      scope: 'read',
      org_id: t.orgId,
    },
  };
}

const signed = (c: { header: Json; claims: Json }) => signJwt(c.header, c.claims, es.privateKey);
const withHeader = (h: Json) => {
  const c = control();
  return signed({ header: { ...c.header, ...h }, claims: c.claims });
};
const withClaims = (cl: Json) => {
  const c = control();
  return signed({ header: c.header, claims: { ...c.claims, ...cl } });
};

const call = (token: string, scheme = 'Bearer') =>
  t.app.inject({ method: 'GET', url: '/v1/servers', headers: { authorization: `${scheme} ${token}` } });

describe('the control token', () => {
  it('is accepted: a client_credentials-shaped token of our issuer reads /v1/servers', async () => {
    const res = await call(signed(control()));
    expect(res.statusCode, res.body).toBe(200);
  });

  it('is accepted when signed with the RS256 key too', async () => {
    const c = control();
    const res = await call(signJwt({ ...c.header, alg: 'RS256', kid: rs.kid }, c.claims, rs.privateKey));
    expect(res.statusCode, res.body).toBe(200);
  });

  it('becomes a client principal with the token scopes, authenticated by bearer_jwt', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${signed(control())}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'client', authMethod: 'bearer_jwt', scopes: ['read'] });
  });
});

const rsaPublicPem = () => createPublicKey(rs.privateKey).export({ type: 'spki', format: 'pem' }) as string;

const HOSTILE: [string, () => Promise<string> | string, string][] = [
  [
    'alg none',
    () => unsignedJwt({ ...control().header, alg: 'none' }, control().claims),
    'token_algorithm_not_allowed',
  ],
  [
    'HS256 signed with the RSA public key bytes',
    () => {
      const c = control();
      return signJwt({ ...c.header, alg: 'HS256', kid: rs.kid }, c.claims, Buffer.from(rsaPublicPem()));
    },
    'token_algorithm_not_allowed',
  ],
  ['stripped signature', () => `${signed(control()).split('.').slice(0, 2).join('.')}.`, 'token_invalid'],
  [
    'payload changed after signing (scope admin)',
    () => {
      const [h, , s] = signed(control()).split('.');
      const c = control();
      return `${h}.${Buffer.from(JSON.stringify({ ...c.claims, scope: 'admin' })).toString('base64url')}.${s}`;
    },
    'token_invalid',
  ],
  ['unknown kid', () => withHeader({ kid: 'no-such-key' }), 'token_key_unknown'],
  ['missing kid', () => withHeader({ kid: undefined }), 'token_key_unknown'],
  [
    'key offered via jku',
    () => withHeader({ jku: 'https://attacker.example/jwks.json' }),
    'token_key_header_rejected',
  ],
  [
    'key offered via x5u',
    () => withHeader({ x5u: 'https://attacker.example/cert.pem' }),
    'token_key_header_rejected',
  ],
  [
    'key offered via jwk (and signed with it)',
    async () => {
      const attacker = await newEcKey();
      const c = control();
      return signJwt({ ...c.header, jwk: attacker.publicJwk }, c.claims, attacker.privateKey);
    },
    'token_key_header_rejected',
  ],
  ['wrong aud', () => withClaims({ aud: 'https://elsewhere.example/v1' }), 'token_audience_mismatch'],
  [
    'a token for another resource (/mcp used on /v1)',
    () => withClaims({ aud: `${PUBLIC}/mcp` }),
    'token_audience_mismatch',
  ],
  ['wrong iss', () => withClaims({ iss: 'https://attacker.example/oidc' }), 'token_issuer_untrusted'],
  ['iss with a trailing slash', () => withClaims({ iss: `${ISSUER}/` }), 'token_issuer_untrusted'],
  ['expired', () => withClaims({ exp: epoch() - 60 }), 'token_expired'],
  ['older than the maximum token age', () => withClaims({ iat: epoch() - 20 * 60 }), 'token_expired'],
  ['nbf in the future', () => withClaims({ nbf: epoch() + 300 }), 'token_not_yet_valid'],
  ['iat in the future', () => withClaims({ iat: epoch() + 300 }), 'token_not_yet_valid'],
  ['wrong typ (JWT)', () => withHeader({ typ: 'JWT' }), 'token_type_invalid'],
  ['no typ (an ID token)', () => withHeader({ typ: undefined }), 'token_type_invalid'],
  [
    'unknown crit',
    () => withHeader({ crit: ['urn:example:must-understand'], 'urn:example:must-understand': true }),
    'token_crit_unsupported',
  ],
  ['no org_id', () => withClaims({ org_id: undefined }), 'token_invalid'],
];

describe('hostile tokens: one change to the control, one specific refusal', () => {
  it.each(HOSTILE)('%s is refused', async (_name, make, code) => {
    const res = await call(await make());
    expect(res.statusCode, res.body).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe(code);
    const challenge = String(res.headers['www-authenticate']);
    expect(challenge).toMatch(/^Bearer realm="sprintconnect", error="invalid_token", error_description="/);
    expect(challenge).toContain(`resource_metadata="${PUBLIC}/.well-known/oauth-protected-resource/v1"`);
  });

  it('answers with the DPoP challenge when the token came with the DPoP scheme', async () => {
    const res = await call(withClaims({ exp: epoch() - 60 }), 'DPoP');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token_expired');
    expect(String(res.headers['www-authenticate'])).toMatch(
      /^DPoP realm="sprintconnect", error="invalid_token"/,
    );
    expect(String(res.headers['www-authenticate'])).toContain('algs="ES256 RS256 EdDSA"');
  });

  it('leaves a bearer credential that is not a JWT to the API-key authenticator', async () => {
    const res = await call(`sck_aaaaaaaaaaaa_${'x'.repeat(43)}`);
    expect(res.json().code).toBe('api_key_invalid');
  });
});
