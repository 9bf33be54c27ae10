import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { fixedClock } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';

/** Story 8.8 / 6.3: each quota, reached, gives its clear 409 and changes nothing; admins override. */
const clock = fixedClock(new Date());
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.stop());

type Org = { orgId: string; auth: { authorization: string } };
let orgs = 0;
const newOrg = (): Promise<Org> => t.newOrg(`quota-org-${++orgs}`);

const register = (org: Org, name: string, autoDiscover = false) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: org.auth,
    payload: { name, url: `https://${name}.quota.example/mcp`, autoDiscover },
  });
const setQuota = (org: Org, name: string, limit: number | null, headers = org.auth) =>
  t.app.inject({ method: 'PUT', url: `/v1/quotas/${name}`, headers, payload: { limit } });
const quotas = async (org: Org) => {
  const res = await t.app.inject({ method: 'GET', url: '/v1/quotas', headers: org.auth });
  expect(res.statusCode).toBe(200);
  return Object.fromEntries(res.json().items.map((q: { name: string }) => [q.name, q]));
};

async function count(
  orgId: string,
  table: 'servers' | 'api_keys' | 'jobs' | 'audit_events' | 'outbox_events',
) {
  return withTenant(t.database.adminDb, orgId, async (tx) => {
    // The test's admin connection is not bound by RLS: filter by org explicitly.
    const r = await tx
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });
}
const snapshot = async (orgId: string) => ({
  servers: await count(orgId, 'servers'),
  apiKeys: await count(orgId, 'api_keys'),
  jobs: await count(orgId, 'jobs'),
  audit: await count(orgId, 'audit_events'),
  outbox: await count(orgId, 'outbox_events'),
});

describe('GET /v1/quotas', () => {
  it('lists every quota with its default limit and current usage, to any member with read access', async () => {
    const org = await newOrg();
    const one = await register(org, 'one');
    expect(one.statusCode, one.body).toBe(201);
    const reader = await t.sc.apiKeys.keys.create(
      { type: 'system', id: 'test', orgId: org.orgId },
      { name: 'reader', scopes: ['read'] },
    );
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/quotas',
      headers: { authorization: `Bearer ${reader.token}` },
    });
    expect(res.statusCode).toBe(200);
    const byName = Object.fromEntries(res.json().items.map((q: { name: string }) => [q.name, q]));
    expect(Object.keys(byName).sort()).toEqual(['api_keys', 'discoveries_per_day', 'servers']);
    expect(byName.servers).toMatchObject({
      kind: 'count',
      limit: 500,
      default: 500,
      used: 1,
      remaining: 499,
    });
    expect(byName.servers.overridden).toBe(false);
    expect(byName.api_keys).toMatchObject({ kind: 'count', limit: 100, used: 2 });
    expect(byName.discoveries_per_day).toMatchObject({ kind: 'per_day', limit: 1000, used: 0 });
    expect(byName.discoveries_per_day.period.key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('the servers quota', () => {
  it('refuses a registration at the limit with 409 quota_exceeded naming quota, limit and usage, and changes nothing', async () => {
    const org = await newOrg();
    expect((await setQuota(org, 'servers', 1)).statusCode).toBe(200);
    expect((await register(org, 'first')).statusCode).toBe(201);
    const before = await snapshot(org.orgId);
    const res = await register(org, 'second');
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({
      code: 'quota_exceeded',
      status: 409,
      quota: { name: 'servers', limit: 1, used: 1 },
      links: { quota: '/v1/quotas/servers' },
    });
    expect(body.detail).toMatch(/quota "servers": 1 of 1 used/);
    expect(body.detail).toMatch(/PUT \/v1\/quotas\/servers/);
    expect(await snapshot(org.orgId)).toEqual(before);
  });

  it('lets exactly the free slots through when 10 registrations race at the limit', async () => {
    const org = await newOrg();
    expect((await setQuota(org, 'servers', 3)).statusCode).toBe(200);
    expect((await register(org, 'seed')).statusCode).toBe(201);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => register(org, `racer-${i}`)));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    expect(statuses.filter((s) => s === 409)).toHaveLength(8);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('quota_exceeded');
    expect(await count(org.orgId, 'servers')).toBe(3);
  });

  it('an admin override raises the limit (audited), and null returns to the default', async () => {
    const org = await newOrg();
    await setQuota(org, 'servers', 1);
    expect((await register(org, 'a')).statusCode).toBe(201);
    expect((await register(org, 'b')).statusCode).toBe(409);
    const raised = await setQuota(org, 'servers', 2);
    expect(raised.statusCode).toBe(200);
    expect(raised.json()).toMatchObject({
      name: 'servers',
      limit: 2,
      default: 500,
      overridden: true,
      used: 1,
    });
    expect((await register(org, 'b')).statusCode).toBe(201);
    const audit = await withTenant(t.database.adminDb, org.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', org.orgId)
        .where('action', '=', 'quota.changed')
        .execute(),
    );
    expect(audit.map((a) => a.data)).toContainEqual({ from: 1, to: 2, overridden: true });
    const reset = await setQuota(org, 'servers', null);
    expect(reset.json()).toMatchObject({ limit: 500, overridden: false });
  });

  it('only owners and admins may override: a write-scoped key gets 403 and the limit stays', async () => {
    const org = await newOrg();
    const writer = await t.sc.apiKeys.keys.create(
      { type: 'system', id: 'test', orgId: org.orgId },
      { name: 'writer', scopes: ['write'] },
    );
    const res = await setQuota(org, 'servers', 9999, { authorization: `Bearer ${writer.token}` });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json().code).toBe('forbidden');
    const after = (await quotas(org)).servers;
    expect(after, JSON.stringify(after)).toMatchObject({ limit: 500, overridden: false });
  });

  it('names an unknown quota (404) and refuses a bad limit (422)', async () => {
    const org = await newOrg();
    const unknown = await setQuota(org, 'unicorns', 5);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('quota_not_found');
    const negative = await setQuota(org, 'servers', -1);
    expect(negative.statusCode).toBe(422);
    expect(negative.json().errors[0].pointer).toBe('/limit');
  });
});

describe('the discoveries_per_day quota', () => {
  it('refuses the discovery past the daily limit with 409, the reset time and Retry-After, and queues nothing', async () => {
    const org = await newOrg();
    await setQuota(org, 'discoveries_per_day', 2);
    const ids: string[] = [];
    for (const name of ['d1', 'd2', 'd3']) ids.push((await register(org, name)).json().id);
    for (const id of ids.slice(0, 2)) {
      const ok = await t.app.inject({ method: 'POST', url: `/v1/servers/${id}/discover`, headers: org.auth });
      expect(ok.statusCode).toBe(202);
    }
    const before = await snapshot(org.orgId);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/servers/${ids[2]}/discover`,
      headers: org.auth,
    });
    expect(res.statusCode).toBe(409);
    const body = res.json();
    expect(body).toMatchObject({
      code: 'quota_exceeded',
      quota: { name: 'discoveries_per_day', limit: 2, used: 2 },
    });
    expect(Date.parse(body.quota.resetsAt)).toBeGreaterThan(Date.now());
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(86_400);
    expect(await snapshot(org.orgId)).toEqual(before);
    expect((await quotas(org)).discoveries_per_day).toMatchObject({ used: 2, remaining: 0 });
  });

  it('a registration whose automatic discovery is over the daily limit is refused whole', async () => {
    const org = await newOrg();
    await setQuota(org, 'discoveries_per_day', 0);
    const before = await snapshot(org.orgId);
    const res = await register(org, 'auto', true);
    expect(res.statusCode).toBe(409);
    expect(res.json().quota.name).toBe('discoveries_per_day');
    expect(await snapshot(org.orgId)).toEqual(before);
  });
});

describe('a per-day quota in the org time zone', () => {
  it("counts the org's local day and starts again at its local midnight", async () => {
    const org = await newOrg();
    const zone = 'Pacific/Kiritimati'; // UTC+14: its day is not the UTC day for 14 hours of each
    await t.database.adminDb
      .updateTable('orgs')
      .set({ time_zone: zone })
      .where('id', '=', org.orgId)
      .execute();
    await setQuota(org, 'discoveries_per_day', 1);
    const ids = [(await register(org, 'tz1')).json().id, (await register(org, 'tz2')).json().id];
    const discover = (id: string) =>
      t.app.inject({ method: 'POST', url: `/v1/servers/${id}/discover`, headers: org.auth });
    expect((await discover(ids[0])).statusCode).toBe(202);
    const today = (await quotas(org)).discoveries_per_day;
    const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(clock.now());
    expect(today.period.key).toBe(localDate);
    expect(
      new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeStyle: 'medium' }).format(
        new Date(today.period.resetsAt),
      ),
    ).toBe('00:00:00');
    const refused = await discover(ids[1]);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().quota.resetsAt).toBe(today.period.resetsAt);

    clock.advance(Date.parse(today.period.resetsAt) - clock.now().getTime() + 1000);
    expect((await discover(ids[1])).statusCode).toBe(202);
    const tomorrow = (await quotas(org)).discoveries_per_day;
    expect(tomorrow.period.key).not.toBe(today.period.key);
    expect(tomorrow).toMatchObject({ used: 1, limit: 1 });
  });
});

describe('the api_keys quota', () => {
  it('refuses a new key at the limit, counts only active keys, and frees a slot on revoke', async () => {
    const org = await newOrg();
    const used = (await quotas(org)).api_keys.used as number;
    await setQuota(org, 'api_keys', used + 1);
    const create = (name: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: org.auth,
        payload: { name, scopes: ['read'] },
      });
    const made = await create('last-slot');
    expect(made.statusCode).toBe(201);
    const before = await snapshot(org.orgId);
    const refused = await create('one-too-many');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'quota_exceeded',
      quota: { name: 'api_keys', used: used + 1 },
    });
    expect(await snapshot(org.orgId)).toEqual(before);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${made.json().id}`,
      headers: org.auth,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await create('after-revoke')).statusCode).toBe(201);
  });
});
