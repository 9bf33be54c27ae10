import { sql } from 'kysely';
import { orgScopedKey } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';

/**
 * Serializes every take of one quota of one org, across processes, until the transaction ends: the count and
 * the insert it guards happen under it, so two creates at the limit cannot both pass. Transaction-scoped, so
 * a crash or rollback releases it.
 */
export async function lockQuota(tx: Tx, orgId: string, quota: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${orgScopedKey(orgId, 'quota', quota)}, 0))`.execute(
    tx,
  );
}

export async function findOverride(tx: Tx, orgId: string, quota: string): Promise<number | undefined> {
  const row = await tx
    .selectFrom('quota_overrides')
    .select('limit_value')
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .executeTakeFirst();
  return row?.limit_value;
}

export async function listOverrides(tx: Tx, orgId: string): Promise<Map<string, number>> {
  const rows = await tx
    .selectFrom('quota_overrides')
    .select(['quota', 'limit_value'])
    .where('org_id', '=', orgId)
    .execute();
  return new Map(rows.map((r) => [r.quota, r.limit_value]));
}

export async function upsertOverride(
  tx: Tx,
  o: { orgId: string; quota: string; limit: number; at: Date; by: string },
): Promise<void> {
  await tx
    .insertInto('quota_overrides')
    .values({ org_id: o.orgId, quota: o.quota, limit_value: o.limit, updated_at: o.at, updated_by: o.by })
    .onConflict((c) =>
      c
        .columns(['org_id', 'quota'])
        .doUpdateSet({ limit_value: o.limit, updated_at: o.at, updated_by: o.by }),
    )
    .execute();
}

export async function deleteOverride(tx: Tx, orgId: string, quota: string): Promise<void> {
  await tx.deleteFrom('quota_overrides').where('org_id', '=', orgId).where('quota', '=', quota).execute();
}

export async function periodUsed(tx: Tx, orgId: string, quota: string, period: string): Promise<number> {
  const row = await tx
    .selectFrom('quota_periods')
    .select('used')
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .where('period', '=', period)
    .executeTakeFirst();
  return row?.used ?? 0;
}

export async function addPeriodUse(tx: Tx, orgId: string, quota: string, period: string): Promise<void> {
  await tx
    .insertInto('quota_periods')
    .values({ org_id: orgId, quota, period, used: 1 })
    .onConflict((c) =>
      c.columns(['org_id', 'quota', 'period']).doUpdateSet({ used: sql`quota_periods.used + 1` }),
    )
    .execute();
}
