import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';

/**
 * The cross-process claims with a real second OS process (`sprintconnect start` on the same database), not
 * only a second app instance in this process: nothing but PostgreSQL connects the two.
 */
const get = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });

async function createKey(t: TestApp, name: string): Promise<{ id: string; token: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: t.auth,
    payload: { name, scopes: ['read'] },
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

describe('two OS processes on one database', () => {
  let t: TestApp;
  let other: ServerProcess;
  beforeAll(async () => {
    t = await startTestApp();
    await t.sc.apiKeys.keys.listening;
    other = await startServerProcess(t.database.adminUrl);
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
    await t?.stop();
  });

  it('a key revoked in this process is refused by the other process within one second', async () => {
    const { id, token } = await createKey(t, 'os-replicated');
    expect((await get(`${other.url}/v1/me`, token)).status).toBe(200);
    expect((await get(`${other.url}/v1/me`, token)).status).toBe(200); // now served from its cache

    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: t.auth });
    expect(revoked.statusCode).toBe(204);
    const t0 = performance.now();
    let status = 200;
    while (status === 200 && performance.now() - t0 < 1000) {
      status = (await get(`${other.url}/v1/me`, token)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('a rate limit shared by two OS processes', () => {
  let t: TestApp;
  let other: ServerProcess;
  const LIMIT = 6;
  beforeAll(async () => {
    const env = { SPRINTCONNECT_API_KEY_RATE_LIMIT: String(LIMIT) };
    t = await startTestApp({ env });
    other = await startServerProcess(t.database.adminUrl, env);
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
    await t?.stop();
  });

  it('admits the limit once in total, whichever process serves each request', async () => {
    const { token } = await createKey(t, 'os-limited');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } }))
          .statusCode,
      );
      statuses.push((await get(`${other.url}/v1/me`, token)).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10 - LIMIT);
  });
});
