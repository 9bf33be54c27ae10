import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecondApp, startTestApp, type TestApp } from '../../../../test/harness.ts';
import { epoch, type OwnKey, ownSigningKey, signJwt } from '../../../../test/oauth-tokens.ts';

/**
 * Signing keys are made once, kept sealed in Postgres (so every process and every restart signs with the same
 * keys) and rotate: the new key signs at once, the old one keeps verifying until it is retired.
 */
let t: TestApp;
let second: Awaited<ReturnType<typeof startSecondApp>>;
const PUBLIC = 'http://127.0.0.1:0';
const sys = () => ({ type: 'system' as const, id: 'test', orgId: t.orgId });
let ci: { clientId: string; clientSecret: string };

beforeAll(async () => {
  t = await startTestApp();
  second = await startSecondApp(t);
  ci = await t.sc.oauth.server!.registerClient(sys(), { name: 'ci', scopes: ['read'] });
  await t.sc.rbac.users.grantAsSystem(sys(), { type: 'client', id: ci.clientId }, ['viewer']);
});
afterAll(async () => {
  await second.stop();
  await t.stop();
});

const jwks = async (app: TestApp['app']) =>
  (await app.inject({ method: 'GET', url: '/oidc/jwks' })).json() as { keys: { kid: string; alg: string }[] };

function tokenBy(key: OwnKey): string {
  const now = epoch();
  return signJwt(
    { alg: key.alg, typ: 'at+jwt', kid: key.kid },
    {
      iss: `${PUBLIC}/oidc`,
      sub: ci.clientId,
      client_id: ci.clientId,
      aud: `${PUBLIC}/v1`,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      scope: 'read',
      org_id: t.orgId,
    },
    key.privateKey,
  );
}

const call = (app: TestApp['app'], token: string) =>
  app.inject({ method: 'GET', url: '/v1/servers', headers: { authorization: `Bearer ${token}` } });

async function issued(app: TestApp['app']): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/oidc/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${ci.clientId}:${ci.clientSecret}`).toString('base64')}`,
    },
    payload: 'grant_type=client_credentials&scope=read',
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().access_token as string;
}

describe('signing keys', () => {
  it('are made once per algorithm and are the same in every process on the database', async () => {
    const a = await jwks(t.app);
    expect(a.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect((await jwks(second.app)).keys.map((k) => k.kid).sort()).toEqual(a.keys.map((k) => k.kid).sort());
    expect(a.keys.every((k) => !('d' in k))).toBe(true);
  });

  it('keep their private half sealed at rest', async () => {
    const { rows } = await sql<{ private_jwk: Buffer }>`SELECT private_jwk FROM oauth_signing_keys`.execute(
      t.database.adminDb,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r.private_jwk.toString('latin1')).not.toMatch(/"d"\s*:/);
  });

  it('rotate: the new key signs, the old one still verifies until retired, and other processes follow', async () => {
    const old = await ownSigningKey(t.database.db, 'ES256');
    const before = tokenBy(old);
    expect((await call(t.app, before)).statusCode).toBe(200);
    expect(decodeProtectedHeader(await issued(t.app)).kid).toBe(old.kid);

    const kids = await t.sc.oauth.server!.rotateKeys();
    expect(kids).toHaveLength(2);
    const fresh = await ownSigningKey(t.database.db, 'ES256');
    expect(kids).toContain(fresh.kid);
    expect((await jwks(t.app)).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([old.kid, fresh.kid]));

    // New tokens carry the new kid; the old token still works.
    expect(decodeProtectedHeader(await issued(t.app)).kid).toBe(fresh.kid);
    expect((await call(t.app, before)).statusCode).toBe(200);
    // The second process never heard of the new key: an unknown kid makes it reload once.
    expect((await call(second.app, tokenBy(fresh))).statusCode).toBe(200);

    expect(await t.sc.oauth.server!.retireKey(old.kid)).toBe(true);
    expect((await jwks(t.app)).keys.map((k) => k.kid)).not.toContain(old.kid);
    const refused = await call(t.app, before);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('token_key_unknown');
    expect((await call(t.app, tokenBy(fresh))).statusCode).toBe(200);
  });

  it('refuses to retire the active key (rotate first)', async () => {
    const active = await ownSigningKey(t.database.db, 'ES256');
    expect(await t.sc.oauth.server!.retireKey(active.kid)).toBe(false);
  });
});
