import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import type { UsageRecord } from './index.ts';

/**
 * ADR 0042: usage records are kept SPRINTCONNECT_USAGE_RETENTION_DAYS (here 30): `purgeRecords` deletes every
 * org's older records through the definer door of migration 025 and keeps the newer ones. No schedule runs it
 * yet. The records are written by the recorder itself; their age is their `at`.
 */
const DAY = 86_400_000;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_USAGE_RETENTION_DAYS: '30' },
    usageRecorder: { flushMs: 3_600_000 },
  });
});
afterAll(() => t.stop());

const aged = (orgId: string, daysAgo: number): UsageRecord => ({
  orgId,
  principalKind: 'api_key',
  principalId: 'k',
  endpoint: 'default',
  serverId: randomUUID(),
  tool: `aged-${daysAgo}`,
  latencyMs: 1,
  outcome: 'ok',
  bytesIn: 0,
  bytesOut: 0,
  at: new Date(Date.now() - daysAgo * DAY),
});

describe('usage record retention', () => {
  it('deletes the records of every org older than the retention, in batches, and keeps the newer ones', async () => {
    const other = await t.newOrg('usage-retention-other');
    for (const org of [t.orgId, other.orgId]) {
      for (const d of [1, 29, 31, 400]) t.sc.usage.recorder.record(aged(org, d));
    }
    await t.sc.usage.recorder.flush();
    const { deleted, before } = await t.sc.usage.purgeRecords();
    expect(deleted).toBe(4);
    expect(Math.round((Date.now() - before.getTime()) / DAY)).toBe(30);
    const { rows } = await t.database.adminPool.query(
      'SELECT org_id, tool FROM usage_records ORDER BY org_id, tool',
    );
    expect(rows).toEqual(
      [t.orgId, other.orgId]
        .sort()
        .flatMap((org_id) => ['aged-1', 'aged-29'].map((tool) => ({ org_id, tool }))),
    );
  });

  it('the runtime role cannot delete or change records itself: the table is append-only for it', async () => {
    t.sc.usage.recorder.record(aged(t.orgId, 2));
    await t.sc.usage.recorder.flush();
    const app = t.database.appPool;
    for (const statement of ['DELETE FROM usage_records', "UPDATE usage_records SET tool = 'x'"]) {
      await expect(app.query(statement)).rejects.toMatchObject({ code: '42501' });
    }
  });
});
