import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { epoch, type OwnKey, ownSigningKey, signJwt } from '../../../test/oauth-tokens.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';

/**
 * Story 1.3 with a real second OS process: a role removed or granted through this process changes what the user
 * may do in another `sprintconnect start` on the same database within one second, with the same access token
 * (no new sign-in). The two share nothing but PostgreSQL (LISTEN/NOTIFY invalidates the other's cache).
 */
const PUBLIC = 'http://127.0.0.1:0';
let t: TestApp;
let other: ServerProcess;
let es: OwnKey;

beforeAll(async () => {
  t = await startTestApp({ env: { SPRINTCONNECT_PUBLIC_URL: PUBLIC } });
  other = await startServerProcess(t.database.adminUrl, { SPRINTCONNECT_PUBLIC_URL: PUBLIC });
  es = await ownSigningKey(t.database.db);
}, 60_000);
afterAll(async () => {
  await other?.stop();
  await t?.stop();
});

/** An access token of our authorization server for the user, as the console would hold it. */
function userToken(userId: string): string {
  const now = epoch();
  return signJwt(
    { alg: 'ES256', typ: 'at+jwt', kid: es.kid },
    {
      iss: `${PUBLIC}/oidc`,
      sub: userId,
      client_id: 'scc_console_os',
      aud: `${PUBLIC}/v1`,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      scope: 'read',
      org_id: t.orgId,
    },
    es.privateKey,
  );
}

const listInOther = async (token: string) =>
  (await fetch(`${other.url}/v1/servers`, { headers: { authorization: `Bearer ${token}` } })).status;

async function setRoles(userId: string, roles: string[]): Promise<number> {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/v1/users/${userId}/roles`,
    headers: t.auth,
    payload: { roles },
  });
  expect(res.statusCode, res.body).toBe(200);
  return performance.now();
}

/** Polls the other process until it answers `want`; fails past one second after `since`. */
async function seenWithinOneSecond(token: string, want: number, since: number): Promise<void> {
  let status = await listInOther(token);
  while (status !== want && performance.now() - since < 1000) {
    await new Promise((r) => setTimeout(r, 20));
    status = await listInOther(token);
  }
  expect(status).toBe(want);
  expect(performance.now() - since).toBeLessThan(1000);
}

describe('role changes across two OS processes', () => {
  it('a role removed through this process stops the user in the other process within one second', async () => {
    const u = await userWithRoles(t.sc, t.orgId, `removed-${randomUUID()}@example.com`, ['viewer']);
    const token = userToken(u.id);
    expect(await listInOther(token)).toBe(200);
    expect(await listInOther(token)).toBe(200); // now from the other process's permission cache
    const at = await setRoles(u.id, []);
    await seenWithinOneSecond(token, 403, at);
  });

  it('a role granted through this process lets the user in the other process within one second', async () => {
    const u = await userWithRoles(t.sc, t.orgId, `granted-${randomUUID()}@example.com`, []);
    const token = userToken(u.id);
    expect(await listInOther(token)).toBe(403);
    expect(await listInOther(token)).toBe(403); // the refusal is cached there too
    const at = await setRoles(u.id, ['viewer']);
    await seenWithinOneSecond(token, 200, at);
  });
});
