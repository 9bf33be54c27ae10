import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import {
  dpopProof,
  epoch,
  type KeyPair,
  newEcKey,
  type OwnKey,
  ownSigningKey,
  signJwt,
} from '../../../../test/oauth-tokens.ts';
import { type ServerProcess, startServerProcess } from '../../../../test/server-process.ts';

/**
 * DPoP jti replay across real OS processes (RFC 9449 §11.1, issue 3 point 6): a proof accepted by this process is
 * a replay for a second `sprintconnect start` on the same database, which shares nothing with this one but
 * PostgreSQL. Both use one public URL, so the proof's htu and the token's issuer and audience match in both.
 */
const PUBLIC = 'http://127.0.0.1:0';
const CLIENT = 'scc_dpop_os';
let t: TestApp;
let other: ServerProcess;
let es: OwnKey;
let holder: KeyPair;

beforeAll(async () => {
  t = await startTestApp({ env: { SPRINTCONNECT_PUBLIC_URL: PUBLIC } });
  other = await startServerProcess(t.database.adminUrl, { SPRINTCONNECT_PUBLIC_URL: PUBLIC });
  es = await ownSigningKey(t.database.db);
  holder = await newEcKey();
  await t.sc.rbac.users.grantAsSystem(
    { type: 'system', id: 'test', orgId: t.orgId },
    { type: 'client', id: CLIENT },
    ['viewer'],
  );
}, 60_000);
afterAll(async () => {
  await other?.stop();
  await t?.stop();
});

function boundToken(): string {
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
      cnf: { jkt: holder.jkt },
    },
    es.privateKey,
  );
}

const proofFor = (at: string) =>
  dpopProof(holder, { method: 'GET', url: `${PUBLIC}/v1/servers`, accessToken: at });
const inProcess = (at: string, proof: string) =>
  t.app.inject({ method: 'GET', url: '/v1/servers', headers: { authorization: `DPoP ${at}`, dpop: proof } });
const inOther = (at: string, proof: string) =>
  fetch(`${other.url}/v1/servers`, { headers: { authorization: `DPoP ${at}`, dpop: proof } });

describe('a DPoP proof across two OS processes on one database', () => {
  it('is accepted by the other process when fresh (the control)', async () => {
    const at = boundToken();
    const res = await inOther(at, proofFor(at));
    expect(res.status, await res.text()).toBe(200);
  });

  it('used against this process is refused by the other process as a replay', async () => {
    const at = boundToken();
    const proof = proofFor(at);
    expect((await inProcess(at, proof)).statusCode).toBe(200);
    const res = await inOther(at, proof);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('dpop_replay');
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
  });

  it('used against the other process is refused by this process as a replay', async () => {
    const at = boundToken();
    const proof = proofFor(at);
    expect((await inOther(at, proof)).status).toBe(200);
    const res = await inProcess(at, proof);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('dpop_replay');
  });

  it('sent to both processes at once is accepted by exactly one', async () => {
    const at = boundToken();
    for (let i = 0; i < 5; i++) {
      const proof = proofFor(at);
      const [a, b] = await Promise.all([inProcess(at, proof), inOther(at, proof)]);
      expect([a.statusCode, b.status].sort()).toEqual([200, 401]);
    }
  });
});
