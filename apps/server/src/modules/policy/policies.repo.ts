import { type Selectable, sql } from 'kysely';
import type { PoliciesTable, Tx } from '../../platform/db/index.ts';

export type PolicyRow = Selectable<PoliciesTable>;

/** The org's enabled policies, by name (the order of a policy set does not matter to Cedar). */
export async function listEnabledPolicies(tx: Tx, orgId: string): Promise<PolicyRow[]> {
  return tx
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('enabled', '=', true)
    .orderBy('name')
    .execute();
}

export async function orgTimeZone(tx: Tx, orgId: string): Promise<string> {
  const r = await sql<{ time_zone: string }>`SELECT time_zone FROM orgs WHERE id = ${orgId}`.execute(tx);
  return r.rows[0]?.time_zone ?? 'UTC';
}
