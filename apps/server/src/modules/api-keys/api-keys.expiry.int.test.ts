import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { withTenant } from '../../platform/db/index.ts';

const SECRET = 'cron-secret-for-tests-0123456789';
const DAY = 86_400_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { CRON_SECRET: SECRET } });
});
afterAll(() => t.stop());

const runCron = (job: string, authorization?: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/cron/${job}`,
    headers: authorization === undefined ? {} : { authorization },
  });

const keyExpiringIn = async (orgId: string, name: string, ms: number) =>
  t.sc.apiKeys.keys.create(
    { type: 'system', id: 'test', orgId },
    { name, scopes: ['read'], expiresAt: new Date(Date.now() + ms) },
  );

async function expiringEvents(orgId: string) {
  return withTenant(t.database.adminDb, orgId, (tx) =>
    tx
      .selectFrom('outbox_events')
      .select('payload')
      .where('org_id', '=', orgId)
      .where('topic', '=', 'api_key.expiring')
      .execute(),
  );
}

describe('POST /api/cron/{job}', () => {
  it('needs Authorization: Bearer $CRON_SECRET (401 otherwise, before revealing job names)', async () => {
    for (const auth of [undefined, 'Bearer wrong-secret', `Basic ${SECRET}`, `Bearer ${SECRET}x`]) {
      const res = await runCron('no-such-job', auth);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('unauthenticated');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('answers 404 for a job that does not exist, naming the known ones', async () => {
    const res = await runCron('no-such-job', `Bearer ${SECRET}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'cron_job_not_found' });
    expect(res.json().detail).toMatch(/api-key-expiry/);
  });

  it('is refused when CRON_SECRET is not configured', async () => {
    const bare = await startTestApp();
    try {
      const res = await bare.app.inject({
        method: 'POST',
        url: '/api/cron/api-key-expiry',
        headers: { authorization: 'Bearer anything-at-all-1234' },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toMatch(/CRON_SECRET is not set/);
    } finally {
      await bare.stop();
    }
  });
});

describe('API key expiry notices (story 1.2: 7 days before)', () => {
  it('records one api_key.expiring event per key expiring within 7 days, in every org, once', async () => {
    const other = await t.newOrg('expiry-other');
    const soon = await keyExpiringIn(t.orgId, 'soon', 3 * DAY);
    const later = await keyExpiringIn(t.orgId, 'later', 10 * DAY);
    const revoked = await keyExpiringIn(t.orgId, 'revoked', 2 * DAY);
    await t.sc.apiKeys.keys.revoke({ type: 'system', id: 'test', orgId: t.orgId }, revoked.id, new Date());
    const elsewhere = await keyExpiringIn(other.orgId, 'elsewhere', 1 * DAY);

    const first = await runCron('api-key-expiry', `Bearer ${SECRET}`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ job: 'api-key-expiry', result: { notified: 2 } });

    const events = await expiringEvents(t.orgId);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({
      target: { type: 'api_key', id: soon.id },
      actor: { type: 'system', id: 'scheduler' },
      data: { name: 'soon', daysLeft: 3 },
    });
    expect(JSON.stringify(events)).not.toContain(soon.token.slice(17));
    expect(
      (await expiringEvents(other.orgId)).map((e) => (e.payload as { target: { id: string } }).target.id),
    ).toEqual([elsewhere.id]);
    expect(JSON.stringify(await expiringEvents(t.orgId))).not.toContain(later.id);

    // Idempotent: a second run (retry, another scheduler, an operator) announces nothing again.
    const second = await runCron('api-key-expiry', `Bearer ${SECRET}`);
    expect(second.json().result).toEqual({ notified: 0 });
    expect(await expiringEvents(t.orgId)).toHaveLength(1);
  });

  it('is scheduled daily with pg-boss in the scheduler role', async () => {
    const { rows } = await sql<{ cron: string; timezone: string }>`
      SELECT cron, timezone FROM pgboss.schedule WHERE name = 'api-key-expiry'`.execute(t.database.adminDb);
    expect(rows).toEqual([{ cron: '0 8 * * *', timezone: 'UTC' }]);
  });
});
