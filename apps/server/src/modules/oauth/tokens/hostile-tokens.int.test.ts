import { createPublicKey, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import {
  epoch,
  type Json,
  type KeyPair,
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
let base: string;
let es: OwnKey;
let rs: OwnKey;
const PUBLIC = 'http://127.0.0.1:0';
const ISSUER = `${PUBLIC}/oidc`;
const CLIENT = 'scc_hostile_tokens_ci';
/** An IdP the default org trusts (its JWKS served on 127.0.0.1), for the claim rows of trusted-issuer tokens. */
const IDP = 'https://idp.hostile.test/oauth2';
const IDP_AUDIENCE = 'api://hostile-tokens';
let idp: KeyPair;
let jwksServer: Server;

beforeAll(async () => {
  idp = await newEcKey();
  jwksServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...idp.publicJwk, kid: idp.jkt, alg: 'ES256', use: 'sig' }] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  t = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  await t.sc.oauth.trustedIssuers.add(
    { type: 'system', id: 'test', orgId: t.orgId },
    {
      issuer: IDP,
      audience: IDP_AUDIENCE,
      jwksUri: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`,
    },
  );
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  es = await ownSigningKey(t.database.db, 'ES256');
  rs = await ownSigningKey(t.database.db, 'RS256');
  await t.sc.rbac.users.grantAsSystem(
    { type: 'system', id: 'test', orgId: t.orgId },
    { type: 'client', id: CLIENT },
    ['viewer'],
  );
});
afterAll(async () => {
  await t.stop();
  await new Promise<void>((r) => jwksServer.close(() => r()));
});

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
  ['an org_id that is not a UUID (correctly signed)', () => withClaims({ org_id: 'acme' }), 'token_invalid'],
  ['an org_id that is not a string', () => withClaims({ org_id: 42 }), 'token_invalid'],
  [
    'an auth_time beyond any date (correctly signed)',
    () => withClaims({ auth_time: 1e300 }),
    'token_invalid',
  ],
  ['an auth_time that is not a number', () => withClaims({ auth_time: 'yesterday' }), 'token_invalid'],
];

/**
 * Issue 8 point 2: text of an unverified token is never copied into a header. Node refuses a header value with
 * a character above U+00FF or DEL, so echoing it made the write throw (a 500 to an unauthenticated caller).
 * Over a real socket, because that is where Node validates what is written.
 */
const MARK = 'INJECTED';
const BOTH = ['Bearer', 'DPoP'];
/** The claim checks run after the DPoP binding check, so an unbound token with the DPoP scheme fails earlier. */
const BEARER = ['Bearer'];
const HEADER_BREAKING: [string, () => string, string, string[]][] = [
  [
    'an iss above U+00FF',
    () => withClaims({ iss: `https://${MARK}.example/\u0100\u2028` }),
    'token_issuer_untrusted',
    BOTH,
  ],
  [
    'an iss with DEL',
    () => withClaims({ iss: `https://${MARK}.example/\u007f` }),
    'token_issuer_untrusted',
    BOTH,
  ],
  ['an alg above U+00FF', () => withHeader({ alg: `${MARK}\u0394` }), 'token_algorithm_not_allowed', BOTH],
  ['an alg with DEL', () => withHeader({ alg: `${MARK}\u007f` }), 'token_algorithm_not_allowed', BOTH],
  ['a typ above U+00FF', () => withHeader({ typ: `${MARK}\u{1F600}` }), 'token_type_invalid', BOTH],
  ['a typ with DEL', () => withHeader({ typ: `${MARK}\u007f` }), 'token_type_invalid', BOTH],
  ['a crit above U+00FF', () => withHeader({ crit: [`${MARK}\u0100`] }), 'token_crit_unsupported', BOTH],
  ['a crit with DEL', () => withHeader({ crit: [`${MARK}\u007f`] }), 'token_crit_unsupported', BOTH],
  ['a signed org_id above U+00FF', () => withClaims({ org_id: `${MARK}\u0100` }), 'token_invalid', BEARER],
  ['a signed non-UUID org_id', () => withClaims({ org_id: `${MARK}-not-a-uuid` }), 'token_invalid', BEARER],
];

describe('token text that no header may carry, over a real socket', () => {
  it.each(HEADER_BREAKING)(
    '%s is a 401 problem+json that echoes nothing into headers',
    async (_n, make, code, schemes) => {
      for (const scheme of schemes) {
        const res = await fetch(`${base}/v1/servers`, { headers: { authorization: `${scheme} ${make()}` } });
        const body = await res.text();
        expect(res.status, body).toBe(401);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(JSON.parse(body).code).toBe(code);
        const challenge = res.headers.get('www-authenticate') ?? '';
        expect(challenge).toMatch(new RegExp(`^${scheme} realm="sprintconnect", error="invalid_token"`));
        for (const [name, value] of res.headers) expect(value, name).not.toContain(MARK);
      }
    },
  );
});

/**
 * Attack of issue 8's fixes, M3: unverified token text went into the problem detail without limit (a 7,000
 * character alg gave a 7.3 KB body). A refusal names the field and the rule, and quotes nothing of the token.
 */
const LONG = `${MARK}${'x'.repeat(7000)}`;
const ECHO_PRONE: [string, () => string, string][] = [
  ['a long alg', () => withHeader({ alg: LONG }), 'token_algorithm_not_allowed'],
  ['a long typ', () => withHeader({ typ: LONG }), 'token_type_invalid'],
  ['a long crit', () => withHeader({ crit: [LONG] }), 'token_crit_unsupported'],
  ['a long kid', () => withHeader({ kid: LONG }), 'token_key_unknown'],
  ['a long iss', () => withClaims({ iss: `https://${LONG}.example/` }), 'token_issuer_untrusted'],
  ['a long aud', () => withClaims({ aud: `${PUBLIC}/${LONG}` }), 'token_audience_mismatch'],
];

describe('unverified token text in the problem body', () => {
  it.each(ECHO_PRONE)(
    '%s is refused with its code and a detail that quotes none of it',
    async (_n, make, code) => {
      const res = await call(make());
      expect(res.statusCode, res.body.slice(0, 300)).toBe(401);
      expect(res.json().code).toBe(code);
      expect(res.body).not.toContain(MARK);
      expect(res.body.length).toBeLessThan(1024);
    },
  );
});

/** A token of the trusted IdP, accepted as is for the default org. */
function external(claims: Json = {}): string {
  const now = epoch();
  return signJwt(
    { alg: 'ES256', typ: 'at+jwt', kid: idp.jkt },
    {
      iss: IDP,
      aud: IDP_AUDIENCE,
      sub: 'idp-ci',
      client_id: 'idp-ci',
      iat: now,
      exp: now + 300,
      scp: ['read'],
      ...claims,
    },
    idp.privateKey,
  );
}

/**
 * Attack of issue 8's fixes, D3: a correctly signed token whose claims reach the principal with text Postgres
 * cannot store was a 500 (`{sub:"cli\u0000"}` on /v1/me, /v1/servers, POST /v1/api-keys), or was echoed back
 * (`"id":"al\u0000ice"`). Every claim the principal is made of is checked: text, length, shape.
 */
const HOSTILE_CLAIMS: [string, Json][] = [
  ['a sub and client_id with NUL', { sub: 'cli\u0000', client_id: 'cli\u0000' }],
  ['a sub with NUL', { sub: 'al\u0000ice' }],
  ['a sub with a lone surrogate', { sub: 'al\ud800ice' }],
  ['a sub with a control character', { sub: 'al\u001bice' }],
  ['a sub over 255 characters', { sub: 'x'.repeat(256) }],
  ['a sub that is not a string', { sub: 12345 }],
  ['a client_id that is not a string', { client_id: { a: 1 } }],
  ['a name with NUL', { name: 'B\u0000b' }],
  ['a name with DEL', { name: 'B\u007fb' }],
  ['a name of 7,000 characters', { name: 'n'.repeat(7000) }],
  ['an email with a lone surrogate', { email: 'b\udc00@example.com' }],
  ['an email that is not a string', { email: ['a@example.com'] }],
  ['a scope with NUL', { scope: 'read\u0000 write' }],
  ['scp with a number and a NUL', { scope: undefined, scp: ['read', 1, 'admin\u0000'] }],
  ['a scope that is an object', { scope: { read: true } }],
  ['cnf with a jkt that is not a thumbprint', { cnf: { jkt: 5 } }],
  [
    'cnf naming an mTLS binding we cannot check',
    { cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } },
  ],
];

const ENDPOINTS = [
  { method: 'GET', url: '/v1/me' },
  { method: 'GET', url: '/v1/servers' },
  { method: 'POST', url: '/v1/api-keys', payload: { name: 'from a hostile token', scopes: ['read'] } },
] as const;

describe.each([
  ['our own authorization server', (cl: Json) => withClaims(cl)],
  ['an IdP the org trusts', (cl: Json) => external(cl)],
])('claims of a correctly signed token of %s', (_issuer, make) => {
  it('the unchanged token is accepted (the control)', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${make({})}` },
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it.each(HOSTILE_CLAIMS)(
    '%s is 401 token_invalid everywhere, never a 500 or an echo',
    async (_n, claims) => {
      for (const e of ENDPOINTS) {
        const res = await t.app.inject({
          method: e.method,
          url: e.url,
          headers: { authorization: `Bearer ${make(claims)}` },
          ...('payload' in e ? { payload: e.payload } : {}),
        });
        expect(res.statusCode, `${e.method} ${e.url} ${res.body.slice(0, 200)}`).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('token_invalid');
      }
    },
  );
});

describe('an iss no org could have registered', () => {
  it.each([
    ['with NUL', `${ISSUER}\u0000`],
    ['with a lone surrogate', `${ISSUER}\ud800`],
    ['over 2,048 characters', `${ISSUER}/${'i'.repeat(2100)}`],
  ])('%s is token_issuer_untrusted, not a 500', async (_n, iss) => {
    const res = await call(withClaims({ iss }));
    expect(res.statusCode, res.body.slice(0, 200)).toBe(401);
    expect(res.json().code).toBe('token_issuer_untrusted');
  });
});

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
