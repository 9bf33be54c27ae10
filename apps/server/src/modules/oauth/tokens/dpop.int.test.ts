import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecondApp, startTestApp, type TestApp } from '../../../../test/harness.ts';
import {
  dpopProof,
  epoch,
  type KeyPair,
  newEcKey,
  type OwnKey,
  ownSigningKey,
  signJwt,
} from '../../../../test/oauth-tokens.ts';
import { countQueries } from '../../../../test/query-count.ts';

/**
 * DPoP (RFC 9449) at the API: a bound token needs the DPoP scheme and a proof for this very request, signed by
 * the bound key, never seen before by ANY process (the jti table is in Postgres).
 */
let t: TestApp;
let second: Awaited<ReturnType<typeof startSecondApp>>;
let es: OwnKey;
let holder: KeyPair;
const PUBLIC = 'http://127.0.0.1:0';
const URL_SERVERS = `${PUBLIC}/v1/servers`;
const CLIENT = 'scc_dpop_ci';

beforeAll(async () => {
  t = await startTestApp();
  second = await startSecondApp(t);
  es = await ownSigningKey(t.database.db);
  holder = await newEcKey();
  await t.sc.rbac.users.grantAsSystem(
    { type: 'system', id: 'test', orgId: t.orgId },
    { type: 'client', id: CLIENT },
    ['viewer'],
  );
});
afterAll(async () => {
  await second.stop();
  await t.stop();
});

function token(bound: string | null = holder.jkt): string {
  const now = epoch();
  return signJwt(
    { alg: 'ES256', typ: 'at+jwt', kid: es.kid },
    {
      iss: `${PUBLIC}/oidc`,
      sub: CLIENT,
      client_id: CLIENT,
      aud: `${PUBLIC}/v1`,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      scope: 'read',
      org_id: t.orgId,
      ...(bound === null ? {} : { cnf: { jkt: bound } }),
    },
    es.privateKey,
  );
}

const call = (app: TestApp['app'], at: string, proof: string | undefined, scheme = 'DPoP') =>
  app.inject({
    method: 'GET',
    url: '/v1/servers?limit=5',
    headers: { authorization: `${scheme} ${at}`, ...(proof === undefined ? {} : { dpop: proof }) },
  });

describe('a DPoP-bound token', () => {
  it('is accepted with a fresh proof for this request (the control)', async () => {
    const at = token();
    const res = await call(
      t.app,
      at,
      dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const me = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: {
        authorization: `DPoP ${at}`,
        dpop: dpopProof(holder, { method: 'GET', url: `${PUBLIC}/v1/me`, accessToken: at }),
      },
    });
    expect(me.json()).toMatchObject({ kind: 'client', authMethod: 'dpop_jwt' });
  });

  it('accepts an htu that differs only in normalization (scheme case) and query', async () => {
    const at = token();
    const proof = dpopProof(holder, {
      method: 'GET',
      url: 'HTTP://127.0.0.1:0/v1/servers?limit=5',
      accessToken: at,
    });
    expect((await call(t.app, at, proof)).statusCode).toBe(200);
  });

  it('refuses the same proof a second time (dpop_replay)', async () => {
    const at = token();
    const proof = dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at });
    expect((await call(t.app, at, proof)).statusCode).toBe(200);
    const again = await call(t.app, at, proof);
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('dpop_replay');
    expect(String(again.headers['www-authenticate'])).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
  });

  it('refuses a proof replayed against another server process on the same database', async () => {
    const at = token();
    const proof = dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at });
    expect((await call(t.app, at, proof)).statusCode).toBe(200);
    const elsewhere = await call(second.app, at, proof);
    expect(elsewhere.statusCode).toBe(401);
    expect(elsewhere.json().code).toBe('dpop_replay');
  });

  const refused: [string, (at: string) => Promise<string | undefined> | string | undefined, string][] = [
    ['no proof at all', () => undefined, 'dpop_invalid'],
    [
      'a proof for another URL (htu)',
      (at) => dpopProof(holder, { method: 'GET', url: `${PUBLIC}/v1/jobs`, accessToken: at }),
      'dpop_invalid',
    ],
    [
      'a proof for another host (htu)',
      (at) => dpopProof(holder, { method: 'GET', url: 'http://evil.example/v1/servers', accessToken: at }),
      'dpop_invalid',
    ],
    [
      'a proof for another method (htm)',
      (at) => dpopProof(holder, { method: 'POST', url: URL_SERVERS, accessToken: at }),
      'dpop_invalid',
    ],
    [
      'a stale proof (iat two minutes ago)',
      (at) => dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at }, { iat: epoch() - 120 }),
      'dpop_invalid',
    ],
    [
      'a proof from the future (iat in a minute)',
      (at) => dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at }, { iat: epoch() + 60 }),
      'dpop_invalid',
    ],
    [
      'a proof without ath',
      (at) => dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at }, { ath: undefined }),
      'dpop_invalid',
    ],
    [
      'a proof whose ath is for another token',
      () => dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: token() }),
      'dpop_invalid',
    ],
    [
      'a proof without jti',
      (at) => dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at }, { jti: undefined }),
      'dpop_invalid',
    ],
    [
      'a proof with typ JWT',
      (at) => dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at }, {}, { typ: 'JWT' }),
      'dpop_invalid',
    ],
    [
      'a proof whose signature is not by its jwk',
      async (at) => {
        const other = await newEcKey();
        return dpopProof(
          { ...other, publicJwk: holder.publicJwk },
          { method: 'GET', url: URL_SERVERS, accessToken: at },
        );
      },
      'dpop_invalid',
    ],
    [
      'a valid proof signed by another key than the bound one',
      async (at) => dpopProof(await newEcKey(), { method: 'GET', url: URL_SERVERS, accessToken: at }),
      'dpop_key_mismatch',
    ],
  ];

  it.each(refused)('refuses %s', async (_name, make, code) => {
    const at = token();
    const res = await call(t.app, at, await make(at));
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().code).toBe(code);
    expect(String(res.headers['www-authenticate'])).toMatch(
      /^DPoP realm="sprintconnect", error="invalid_dpop_proof"/,
    );
  });

  it('is refused as a plain Bearer token (dpop_required), with a DPoP challenge', async () => {
    const res = await call(t.app, token(), undefined, 'Bearer');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('dpop_required');
    expect(String(res.headers['www-authenticate'])).toMatch(
      /^DPoP realm="sprintconnect", error="invalid_token"/,
    );
  });
});

describe('an unbound token', () => {
  it('is refused with the DPoP scheme: nothing binds it to the proof key', async () => {
    const at = token(null);
    const res = await call(
      t.app,
      at,
      dpopProof(holder, { method: 'GET', url: URL_SERVERS, accessToken: at }),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('dpop_invalid');
  });
});

describe('what a warm DPoP request costs the database (ADR 0017)', () => {
  it('one replay record and no other authentication statement: no key, grant or signing-key lookup', async () => {
    const queries = countQueries(t.database.appPool);
    const at = token();
    const me = (proof: string) =>
      t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `DPoP ${at}`, dpop: proof } });
    const proofFor = () => dpopProof(holder, { method: 'GET', url: `${PUBLIC}/v1/me`, accessToken: at });
    expect((await me(proofFor())).statusCode).toBe(200); // warm: keys, grants
    queries.reset();
    for (let i = 0; i < 3; i++) expect((await me(proofFor())).statusCode).toBe(200);
    const auth = queries
      .texts()
      .filter((q) =>
        /record_dpop_proofs|dpop_proofs_seen|signing_keys|oauth_|trusted_issuers|role_assignments|roles|auth_find/i.test(
          q,
        ),
      );
    expect(auth).toHaveLength(3);
    expect(auth.every((q) => /record_dpop_proofs/.test(q))).toBe(true);
  });
});
