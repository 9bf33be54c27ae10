import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { deleteUsageOlderThan } from './api-keys.usage.repo.ts';

/**
 * Issue 10 point 4: `api_key_usage` has a retention (SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS, here 30): the
 * records of every org older than it are deleted, newer ones kept. No schedule runs it yet (ADR 0037).
 */
const DAY = 86_400_000;
let t: TestApp;
let other: Awaited<ReturnType<TestApp['newOrg']>>;
const keys = { mine: '', theirs: '' };

beforeAll(async () => {
  t = await startTestApp({ env: { SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS: '30' } });
  other = await t.newOrg('retention-other');
  const idOf = async (auth: { authorization: string }) =>
    (await t.app.inject({ url: '/v1/me', headers: auth })).json().id as string;
  keys.mine = await idOf(t.auth);
  keys.theirs = await idOf(other.auth);
});
afterAll(() => t.stop());

/** Usage rows `daysAgo` old, written as the usage recorder writes them (seeded directly to set their age). */
async function seed(orgId: string, keyId: string, daysAgo: number[]) {
  await withTenant(t.database.adminDb, orgId, (tx) =>
    tx
      .insertInto('api_key_usage')
      .values(
        daysAgo.map((d) => ({
          org_id: orgId,
          id: uuidv7(),
          key_id: keyId,
          used_at: new Date(Date.now() - d * DAY),
          method: 'GET',
          route: `/v1/seeded-${d}`,
          status: 200,
          request_id: null,
        })),
      )
      .execute(),
  );
}

const routesOf = (orgId: string, keyId: string) =>
  withTenant(t.database.adminDb, orgId, async (tx) =>
    (
      await tx
        .selectFrom('api_key_usage')
        .select('route')
        .where('key_id', '=', keyId)
        .where('route', 'like', '/v1/seeded-%')
        .orderBy('used_at')
        .execute()
    ).map((r) => r.route),
  );

describe('api_key_usage retention', () => {
  it('deleteUsageOlderThan deletes every org’s records before the cutoff, in batches, and keeps the rest', async () => {
    await seed(t.orgId, keys.mine, [100, 95, 91, 89, 1]);
    await seed(other.orgId, keys.theirs, [120, 2]);
    // As the runtime role (RLS bound to one tenant), through the door of migration 022; 2 rows per statement.
    const deleted = await deleteUsageOlderThan(t.database.db, new Date(Date.now() - 90 * DAY), 2);
    expect(deleted).toBe(4);
    expect(await routesOf(t.orgId, keys.mine)).toEqual(['/v1/seeded-89', '/v1/seeded-1']);
    expect(await routesOf(other.orgId, keys.theirs)).toEqual(['/v1/seeded-2']);
    expect(await deleteUsageOlderThan(t.database.db, new Date(Date.now() - 90 * DAY))).toBe(0);
  });

  it('the module’s purge keeps SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS days', async () => {
    await seed(t.orgId, keys.mine, [31, 29]);
    const r = await t.sc.apiKeys.purgeUsage();
    expect(Math.round((Date.now() - r.before.getTime()) / DAY)).toBe(30);
    expect(r.deleted).toBe(2);
    expect(await routesOf(t.orgId, keys.mine)).toEqual(['/v1/seeded-29', '/v1/seeded-1']);
  });
});
