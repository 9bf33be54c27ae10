import { sql } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import type { QuotasTables } from './quotas.schema.ts';

type Q = Queries<QuotasTables>;

export interface BudgetRow {
  monthlyLimit: number;
  mode: 'block' | 'throttle';
}

export async function findBudget(tx: Q, orgId: string, unit: string): Promise<BudgetRow | undefined> {
  const row = await tx
    .selectFrom('usage_budgets')
    .select(['monthly_limit', 'mode'])
    .where('org_id', '=', orgId)
    .where('unit', '=', unit)
    .executeTakeFirst();
  return row === undefined ? undefined : { monthlyLimit: row.monthly_limit, mode: row.mode };
}

export async function upsertBudget(
  tx: Q,
  b: { orgId: string; unit: string; limit: number; mode: 'block' | 'throttle'; at: Date; by: string },
): Promise<void> {
  await tx
    .insertInto('usage_budgets')
    .values({
      org_id: b.orgId,
      unit: b.unit,
      monthly_limit: b.limit,
      mode: b.mode,
      updated_at: b.at,
      updated_by: b.by,
    })
    .onConflict((c) =>
      c.columns(['org_id', 'unit']).doUpdateSet({
        monthly_limit: b.limit,
        mode: b.mode,
        updated_at: b.at,
        updated_by: b.by,
      }),
    )
    .execute();
}

export async function deleteBudget(tx: Q, orgId: string, unit: string): Promise<void> {
  await tx.deleteFrom('usage_budgets').where('org_id', '=', orgId).where('unit', '=', unit).execute();
}

export interface MonthRow {
  used: number;
  alerted80At: Date | null;
  alerted100At: Date | null;
}

export async function findMonth(tx: Q, orgId: string, unit: string, month: string): Promise<MonthRow> {
  const row = await tx
    .selectFrom('usage_months')
    .select(['used', 'alerted_80_at', 'alerted_100_at'])
    .where('org_id', '=', orgId)
    .where('unit', '=', unit)
    .where('month', '=', month)
    .executeTakeFirst();
  return {
    used: row?.used ?? 0,
    alerted80At: row?.alerted_80_at ?? null,
    alerted100At: row?.alerted_100_at ?? null,
  };
}

/** Adds a batch to the month's counter; the row stays locked until the transaction ends. */
export async function addUsage(
  tx: Q,
  orgId: string,
  unit: string,
  month: string,
  n: number,
): Promise<number> {
  const row = await tx
    .insertInto('usage_months')
    .values({ org_id: orgId, unit, month, used: n })
    .onConflict((c) =>
      c.columns(['org_id', 'unit', 'month']).doUpdateSet({ used: sql`usage_months.used + ${n}` }),
    )
    .returning('used')
    .executeTakeFirstOrThrow();
  return row.used;
}

/** Sets the alert mark once: true only for the one transaction that set it. */
export async function markAlert(
  tx: Q,
  orgId: string,
  unit: string,
  month: string,
  threshold: 80 | 100,
  at: Date,
): Promise<boolean> {
  const column = threshold === 80 ? 'alerted_80_at' : 'alerted_100_at';
  const r = await tx
    .updateTable('usage_months')
    .set({ [column]: at })
    .where('org_id', '=', orgId)
    .where('unit', '=', unit)
    .where('month', '=', month)
    .where(column, 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
