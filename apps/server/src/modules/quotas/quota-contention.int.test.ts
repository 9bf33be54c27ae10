import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';
import { fixedClock } from '../../kernel/index.ts';
import { APP_ROLE, withTenant } from '../../platform/db/index.ts';

/**
 * Issue 8, point 16: a burst of creates in one org must not hold the process's pooled connections waiting on
 * the org's quota lock, and the quota must stay exact across processes (ADR 0025).
 */
const clock = fixedClock(new Date());
let t: TestApp;
let other: ServerProcess;
let monitor: pg.Client;
beforeAll(async () => {
  t = await startTestApp({ clock });
  other = await startServerProcess(t.database.adminUrl, { SPRINTCONNECT_ROLE: 'api' });
  monitor = new pg.Client({ connectionString: t.database.adminUrl });
  await monitor.connect();
}, 60_000);
afterAll(async () => {
  await monitor?.end();
  await other?.stop();
  await t?.stop();
});

type Org = { orgId: string; key: string; auth: { authorization: string } };
let orgs = 0;
const newOrg = (): Promise<Org> => t.newOrg(`contention-org-${++orgs}`);
const body = (name: string) => ({ name, url: `https://${name}.contention.example/mcp`, autoDiscover: false });
const register = (org: Org, name: string) =>
  t.app.inject({ method: 'POST', url: '/v1/servers', headers: org.auth, payload: body(name) });
const setQuota = (org: Org, name: string, limit: number) =>
  t.app.inject({ method: 'PUT', url: `/v1/quotas/${name}`, headers: org.auth, payload: { limit } });

/** As the owner, bypassing RLS: the org's servers and its counter row. */
const servers = async (orgId: string) =>
  Number((await monitor.query('SELECT count(*) AS n FROM servers WHERE org_id = $1', [orgId])).rows[0].n);
const counter = async (orgId: string, quota: string) =>
  (await monitor.query('SELECT used FROM quota_usage WHERE org_id = $1 AND quota = $2', [orgId, quota]))
    .rows[0]?.used as number | undefined;

describe('a burst of registrations in one org', () => {
  it('leaves no pooled connection waiting on a lock while 50 registrations run at once', async () => {
    const org = await newOrg();
    let running = true;
    const waits: { state: string; wait: string; query: string }[] = [];
    let samples = 0;
    // Every app-role backend of this database that waits on a heavyweight lock (advisory, row or transaction).
    const sampler = (async () => {
      while (running) {
        const { rows } = await monitor.query(
          `SELECT state, wait_event AS wait, left(query, 120) AS query FROM pg_stat_activity
           WHERE usename = $1 AND datname = current_database() AND wait_event_type = 'Lock'`,
          [APP_ROLE],
        );
        samples++;
        waits.push(...rows);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => register(org, `burst-${i}`)));
    running = false;
    await sampler;
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    // The burst was watched while it ran, not only before or after it.
    expect(samples).toBeGreaterThanOrEqual(5);
    expect(waits).toEqual([]);
    expect(await servers(org.orgId)).toBe(50);
  });
});

describe('the servers quota across two OS processes', () => {
  /** `racers` registrations at once, half in this process and half in the other, with `free` slots left. */
  async function race(free: number, racers: number) {
    const org = await newOrg();
    expect((await setQuota(org, 'servers', free + 1)).statusCode).toBe(200);
    expect((await register(org, 'seed')).statusCode).toBe(201);
    // The other process has seen the key before the race, so both start their registrations at once.
    expect((await fetch(`${other.url}/v1/servers`, { headers: org.auth })).status).toBe(200);
    const here = Array.from({ length: racers / 2 }, (_, i) =>
      register(org, `here-${i}`).then((r) => r.statusCode),
    );
    const there = Array.from({ length: racers / 2 }, (_, i) =>
      fetch(`${other.url}/v1/servers`, {
        method: 'POST',
        headers: { ...org.auth, 'content-type': 'application/json' },
        body: JSON.stringify(body(`there-${i}`)),
      }).then((r) => r.status),
    );
    const statuses = await Promise.all([...here, ...there]);
    return { statuses, servers: await servers(org.orgId) };
  }

  it('lets exactly the free slots through when 10 registrations race in two processes', async () => {
    const { statuses, servers } = await race(2, 10);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    expect(statuses.filter((s) => s === 409)).toHaveLength(8);
    expect(servers).toBe(3);
  });

  it('lets exactly one through when the two processes race for the last slot', async () => {
    const { statuses, servers } = await race(1, 10);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    expect(servers).toBe(2);
  });
});

describe('the quota counter', () => {
  it('equals the real count after registrations, refusals and deletes, all in their own transactions', async () => {
    const org = await newOrg();
    await setQuota(org, 'servers', 3);
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await register(org, name)).json().id);
    expect((await register(org, 'refused')).statusCode).toBe(409);
    // A registration that fails after its take (a name already used) gives the slot back with its rollback.
    const del = (id: string) =>
      t.app.inject({ method: 'DELETE', url: `/v1/servers/${id}`, headers: org.auth });
    expect((await del(ids[0]!)).statusCode).toBe(204);
    expect((await register(org, 'b')).statusCode).toBe(409);
    expect((await register(org, 'd')).statusCode).toBe(201);
    expect((await del(ids[1]!)).statusCode).toBe(204);
    expect(await counter(org.orgId, 'servers')).toBe(await servers(org.orgId));
    expect(await counter(org.orgId, 'servers')).toBe(2);
  });

  it('a counter that ran low (rows from before migration 015, or drift) is recounted once it is an hour old', async () => {
    const org = await newOrg();
    await setQuota(org, 'servers', 2);
    expect((await register(org, 'one')).statusCode).toBe(201);
    expect((await register(org, 'two')).statusCode).toBe(201);
    // Drift low: the counter says 0 while two servers exist.
    await monitor.query(`UPDATE quota_usage SET used = 0 WHERE org_id = $1 AND quota = 'servers'`, [
      org.orgId,
    ]);
    clock.advance(61 * 60 * 1000);
    const refused = await register(org, 'three');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().quota).toMatchObject({ name: 'servers', limit: 2, used: 2 });
    expect(await servers(org.orgId)).toBe(2);
  });

  it('an org without a counter row (registered before migration 015) is counted from its rows', async () => {
    const org = await newOrg();
    await setQuota(org, 'servers', 2);
    expect((await register(org, 'one')).statusCode).toBe(201);
    await monitor.query('DELETE FROM quota_usage WHERE org_id = $1', [org.orgId]);
    expect((await register(org, 'two')).statusCode).toBe(201);
    expect((await register(org, 'three')).statusCode).toBe(409);
    expect(await counter(org.orgId, 'servers')).toBe(2);
  });

  it('an API key that expired frees its slot at the limit, though nothing revoked it', async () => {
    const org = await newOrg();
    const system = { type: 'system' as const, id: 'test', orgId: org.orgId };
    const active = await withTenant(t.database.adminDb, org.orgId, (tx) =>
      t.sc.apiKeys.keys.countActive(tx, org.orgId, clock.now()),
    );
    await setQuota(org, 'api_keys', active + 1);
    await t.sc.apiKeys.keys.create(system, {
      name: 'short-lived',
      scopes: ['read'],
      expiresAt: new Date(clock.now().getTime() + 60_000),
    });
    const create = (name: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: org.auth,
        payload: { name, scopes: ['read'] },
      });
    expect((await create('while-it-lives')).statusCode).toBe(409);
    clock.advance(120_000);
    expect((await create('after-it-expired')).statusCode).toBe(201);
  });
});
