import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { countQueries } from '../../../test/query-count.ts';
import { withTenant } from '../../platform/db/index.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function usageRows(t: TestApp, keyId: string) {
  return withTenant(t.database.adminDb, t.orgId, (tx) =>
    tx.selectFrom('api_key_usage').selectAll().where('key_id', '=', keyId).orderBy('used_at').execute(),
  );
}

async function keyIdOf(t: TestApp, token: string): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
  return res.json().id;
}

describe('authentication cost', () => {
  let t: TestApp;
  let stopped = false;
  beforeAll(async () => {
    // Usage is written only at shutdown here, so every query counted belongs to the request.
    t = await startTestApp({ apiKeyUsageFlushMs: 3_600_000 });
    await t.sc.apiKeys.keys.listening;
  });
  afterAll(() => (stopped ? t.database.drop() : t.stop()));

  it('a second request with the same key runs no query to authenticate or rate-limit it', async () => {
    const key = await t.keyWithScopes(['read']);
    const queries = countQueries(t.database.appPool);
    // An unknown /v1 path is authenticated (then 404) and runs no query of its own.
    const first = await t.app.inject({ method: 'GET', url: '/v1/no-such-thing', headers: bearer(key) });
    expect(first.statusCode).toBe(404);
    expect(queries.texts().join('\n')).toMatch(/auth_find_api_key/);
    expect(queries.texts().join('\n')).toMatch(/rate_limits/);

    queries.reset();
    const second = await t.app.inject({ method: 'GET', url: '/v1/no-such-thing', headers: bearer(key) });
    expect(second.statusCode).toBe(404);
    expect(queries.count()).toBe(0);

    // A route that reads the database runs only its own queries.
    await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key) });
    queries.reset();
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key) })).statusCode).toBe(200);
    expect(queries.texts().some((q) => /auth_find_api_key|rate_limits/.test(q))).toBe(false);
  });

  it('writes buffered usage when the app stops', async () => {
    const key = await t.keyWithScopes(['read']);
    const id = await keyIdOf(t, key);
    expect(await usageRows(t, id)).toEqual([]);
    stopped = true;
    await t.sc.stop();
    expect((await usageRows(t, id)).map((r) => r.route)).toEqual(['/v1/me']);
  });
});

describe('usage records', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('records each use (key, route pattern, method, status, time) about a second later, and last_used_at', async () => {
    const key = await t.keyWithScopes(['read']);
    const id = await keyIdOf(t, key);
    const before = Date.now();
    const missing = '0190a8a4-0000-7000-8000-000000000000';
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/servers/${missing}`, headers: bearer(key) })).statusCode,
    ).toBe(404);
    const denied = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: bearer(key),
      payload: { name: 'x', url: 'https://x.example/mcp' },
    });
    expect(denied.statusCode).toBe(403);

    const rows = await eventually(
      async () => {
        const r = await usageRows(t, id);
        return r.length >= 3 ? r : undefined;
      },
      5000,
      'usage rows',
    );
    expect(rows.map((r) => [r.method, r.route, r.status])).toEqual([
      ['GET', '/v1/me', 200],
      ['GET', '/v1/servers/:id', 404],
      ['POST', '/v1/servers', 403],
    ]);
    for (const r of rows) {
      expect(r.used_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(r.request_id).toEqual(expect.any(String));
    }
    const listed = await t.app.inject({ method: 'GET', url: `/v1/api-keys/${id}`, headers: t.auth });
    expect(Date.parse(listed.json().lastUsedAt)).toBe(rows[2]!.used_at.getTime());
  });

  it('keeps usage rows inside their org (RLS)', async () => {
    const other = await t.newOrg('usage-other');
    await t.app.inject({ method: 'GET', url: '/v1/me', headers: other.auth });
    await t.sc.apiKeys.usage.flush();
    const seen = await withTenant(t.database.db, t.orgId, (tx) =>
      tx.selectFrom('api_key_usage').select('org_id').distinct().execute(),
    );
    expect(seen.map((r) => r.org_id)).toEqual([t.orgId]);
  });
});
