import type { Selectable } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import type { PoliciesTable, PolicyTables } from './policy.schema.ts';

export type PolicyRow = Selectable<PoliciesTable>;

/** The org's enabled policies, by name (the order of a policy set does not matter to Cedar). */
export async function listEnabledPolicies(tx: Queries<PolicyTables>, orgId: string): Promise<PolicyRow[]> {
  return tx
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('enabled', '=', true)
    .orderBy('name')
    .execute();
}
