import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecondApp, startTestApp, type TestApp } from '../../../test/harness.ts';
import { fixedClock } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';

/** Story 8.8: a monthly budget per org, with alerts at 80% and 100%, enforced by blocking or throttling. */
const clock = fixedClock(new Date());
const THROTTLE = 3;
let t: TestApp;
let second: Awaited<ReturnType<typeof startSecondApp>>;
beforeAll(async () => {
  const env = { SPRINTCONNECT_BUDGET_THROTTLE_RATE: String(THROTTLE) };
  t = await startTestApp({ clock, env });
  second = await startSecondApp(t, { clock, env });
}, 60_000);
afterAll(async () => {
  await second?.stop();
  await t?.stop();
});

type Org = { orgId: string; auth: { authorization: string } };
let orgs = 0;
const newOrg = (): Promise<Org> => t.newOrg(`budget-org-${++orgs}`);
type App = TestApp['app'];
const me = (org: Org, app: App = t.app) => app.inject({ method: 'GET', url: '/v1/me', headers: org.auth });
const setBudget = (org: Org, payload: Record<string, unknown>, headers = org.auth) =>
  t.app.inject({ method: 'PUT', url: '/v1/budget', headers, payload });
const getBudget = (org: Org) => t.app.inject({ method: 'GET', url: '/v1/budget', headers: org.auth });

async function thresholdEvents(orgId: string): Promise<number[]> {
  const rows = await withTenant(t.database.adminDb, orgId, (tx) =>
    tx
      .selectFrom('outbox_events')
      .select('payload')
      .where('org_id', '=', orgId)
      .where('topic', '=', 'budget.threshold_reached')
      .execute(),
  );
  return rows.map((r) => (r.payload as { data: { threshold: number } }).data.threshold).sort((a, b) => a - b);
}

describe('the monthly budget', () => {
  it('shows the default budget and lets only owners and admins change it (403 otherwise)', async () => {
    const org = await newOrg();
    const res = await getBudget(org);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      unit: 'api_calls',
      limit: 1_000_000,
      mode: 'throttle',
      throttlePerMinute: THROTTLE,
      overridden: false,
      alerts: { at80: null, at100: null },
    });
    const writer = await t.sc.apiKeys.keys.create(
      { type: 'system', id: 'test', orgId: org.orgId },
      { name: 'writer', scopes: ['write'] },
    );
    const refused = await setBudget(
      org,
      { limit: 1, mode: 'block' },
      { authorization: `Bearer ${writer.token}` },
    );
    expect(refused.statusCode).toBe(403);
    expect((await getBudget(org)).json()).toMatchObject({ limit: 1_000_000, overridden: false });
  });

  it('in block mode refuses every call once used up with 429 budget_exhausted until the month ends; the budget stays reachable', async () => {
    const org = await newOrg();
    const set = await setBudget(org, { limit: 5, mode: 'block' });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ limit: 5, mode: 'block', overridden: true });
    // The PUT itself was the first call of the month.
    for (let i = 0; i < 4; i++) expect((await me(org)).statusCode).toBe(200);
    const refused = await me(org);
    expect(refused.statusCode).toBe(429);
    const body = refused.json();
    expect(body).toMatchObject({
      code: 'budget_exhausted',
      budget: { unit: 'api_calls', limit: 5, used: 5 },
    });
    const resetsAt = Date.parse(body.budget.resetsAt);
    expect(new Date(resetsAt).getUTCDate()).toBe(1);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Math.abs(retryAfter - (resetsAt - clock.now().getTime()) / 1000)).toBeLessThanOrEqual(1);
    expect((await me(org)).statusCode).toBe(429);
    expect((await getBudget(org)).statusCode).toBe(200);
    const raised = await setBudget(org, { limit: 100 });
    expect(raised.json()).toMatchObject({ limit: 100, mode: 'block' });
    expect((await me(org)).statusCode).toBe(200);
  });

  it('in throttle mode lowers the org to the throttle rate once used up, with the RateLimit fields of that policy', async () => {
    const org = await newOrg();
    await setBudget(org, { limit: 2, mode: 'throttle' });
    const within = await me(org);
    expect(within.statusCode).toBe(200);
    expect(within.headers['ratelimit-policy']).not.toMatch(/budget-throttle/);
    for (let i = 0; i < THROTTLE; i++) {
      const r = await me(org);
      expect(r.statusCode).toBe(200);
      expect(r.headers['ratelimit-policy']).toMatch(new RegExp(`"budget-throttle";q=${THROTTLE};w=60`));
    }
    const refused = await me(org);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('rate_limited');
    expect(refused.json().detail).toMatch(/monthly budget/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers.ratelimit).toMatch(/"budget-throttle";r=0;t=\d+/);
  });

  it('announces 80% and 100% exactly once per month each, however many processes count and flush at once', async () => {
    const org = await newOrg();
    await setBudget(org, { limit: 10, mode: 'block' });
    for (let i = 0; i < 4; i++) {
      expect((await me(org)).statusCode).toBe(200);
      expect((await me(org, second.app)).statusCode).toBe(200);
    }
    // 9 of 10 counted, in two processes' memory; both write at once.
    await Promise.all([t.sc.quotas.usage.flush(), second.sc.quotas.usage.flush()]);
    expect(await thresholdEvents(org.orgId)).toEqual([80]);
    for (let i = 0; i < 3; i++) {
      await me(org);
      await me(org, second.app);
      await Promise.all([t.sc.quotas.usage.flush(), second.sc.quotas.usage.flush()]);
    }
    expect(await thresholdEvents(org.orgId)).toEqual([80, 100]);
    const budget = (await getBudget(org)).json();
    expect(budget.used).toBeGreaterThanOrEqual(10);
    expect(budget.alerts.at80).not.toBeNull();
    expect(budget.alerts.at100).not.toBeNull();
    const audited = await withTenant(t.database.adminDb, org.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('data')
        .where('org_id', '=', org.orgId)
        .where('action', '=', 'budget.threshold_reached')
        .execute(),
    );
    expect(audited).toHaveLength(2);
  });

  it('a new month starts from zero: a blocked org is served again and its usage restarts', async () => {
    const org = await newOrg();
    await setBudget(org, { limit: 2, mode: 'block' });
    expect((await me(org)).statusCode).toBe(200);
    expect((await me(org)).statusCode).toBe(429);
    await t.sc.quotas.usage.flush();
    const before = (await getBudget(org)).json();
    expect(before.used).toBe(2);
    clock.advance(Date.parse(before.resetsAt) - clock.now().getTime() + 1000);
    expect((await me(org)).statusCode).toBe(200);
    await t.sc.quotas.usage.flush();
    const after = (await getBudget(org)).json();
    expect(after.month).not.toBe(before.month);
    expect(after).toMatchObject({ limit: 2, mode: 'block', used: 1, alerts: { at80: null, at100: null } });
  });
});
