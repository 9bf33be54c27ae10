import { sql } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import type { QuotasTables } from './quotas.schema.ts';

type Q = Queries<QuotasTables>;

export async function findOverride(tx: Q, orgId: string, quota: string): Promise<number | undefined> {
  const row = await tx
    .selectFrom('quota_overrides')
    .select('limit_value')
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .executeTakeFirst();
  return row?.limit_value;
}

export async function listOverrides(tx: Q, orgId: string): Promise<Map<string, number>> {
  const rows = await tx
    .selectFrom('quota_overrides')
    .select(['quota', 'limit_value'])
    .where('org_id', '=', orgId)
    .execute();
  return new Map(rows.map((r) => [r.quota, r.limit_value]));
}

export async function upsertOverride(
  tx: Q,
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

export async function deleteOverride(tx: Q, orgId: string, quota: string): Promise<void> {
  await tx.deleteFrom('quota_overrides').where('org_id', '=', orgId).where('quota', '=', quota).execute();
}

export async function periodUsed(tx: Q, orgId: string, quota: string, period: string): Promise<number> {
  const row = await tx
    .selectFrom('quota_periods')
    .select('used')
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .where('period', '=', period)
    .executeTakeFirst();
  return row?.used ?? 0;
}

/**
 * Counts one more use of a per-period quota if the period is under `limit` (>= 1), in one statement: the row's
 * lock, held to commit, orders concurrent takes, and each re-checks `used < limit` on the row as the one before
 * it left it. False: the period is at its limit.
 */
export async function takePeriodUse(
  tx: Q,
  orgId: string,
  quota: string,
  period: string,
  limit: number,
): Promise<boolean> {
  const row = await tx
    .insertInto('quota_periods')
    .values({ org_id: orgId, quota, period, used: 1 })
    .onConflict((c) =>
      c
        .columns(['org_id', 'quota', 'period'])
        .doUpdateSet({ used: sql`quota_periods.used + 1` })
        .where('quota_periods.used', '<', limit),
    )
    .returning('used')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Counts one more of a `count` quota in one statement, when the counter is under the org's limit (its override,
 * else `defaultLimit`) and was recounted after `freshAfter`. The row lock orders concurrent takes as in
 * `takePeriodUse`. False: no counter yet, a stale one, or the org at its limit (the caller recounts).
 */
export async function takeCounted(
  tx: Q,
  orgId: string,
  quota: string,
  defaultLimit: number,
  freshAfter: Date,
): Promise<boolean> {
  const limit = sql<number>`coalesce((SELECT o.limit_value FROM quota_overrides o
    WHERE o.org_id = ${orgId} AND o.quota = ${quota}), ${defaultLimit})`;
  const row = await tx
    .updateTable('quota_usage')
    .set({ used: sql`used + 1` })
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .where('reconciled_at', '>', freshAfter)
    .where('used', '<', limit)
    .returning('used')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Locks the quota's counter row to the end of the transaction, creating it first if the org has none, so that
 * a recount of the real rows sees every create that came before it and none can come in while it runs.
 */
export async function lockCounter(tx: Q, orgId: string, quota: string): Promise<void> {
  await tx
    .insertInto('quota_usage')
    .values({ org_id: orgId, quota, used: 0, reconciled_at: null })
    .onConflict((c) => c.columns(['org_id', 'quota']).doNothing())
    .execute();
  await tx
    .selectFrom('quota_usage')
    .select('used')
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function setCounter(tx: Q, orgId: string, quota: string, used: number, at: Date): Promise<void> {
  await tx
    .updateTable('quota_usage')
    .set({ used, reconciled_at: at })
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .execute();
}

/** One fewer of a `count` quota (a delete or revoke in this transaction); no counter yet: nothing to do. */
export async function releaseCounted(tx: Q, orgId: string, quota: string): Promise<void> {
  await tx
    .updateTable('quota_usage')
    .set({ used: sql`greatest(used - 1, 0)` })
    .where('org_id', '=', orgId)
    .where('quota', '=', quota)
    .execute();
}
