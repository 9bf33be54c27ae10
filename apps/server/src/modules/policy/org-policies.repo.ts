import type { Selectable } from 'kysely';
import { type KeysetKey, keysetOrder } from '../../kernel/index.ts';
import { isUniqueViolation, paginateByKeyset, type Queries } from '../../platform/db/index.ts';
import type { PolicyRow } from './policies.repo.ts';
import type { PolicyTables, PolicyVersionsTable, VersionPolicy } from './policy.schema.ts';

/** SQL for org policies (table of migration 007) and the versions of an org's set (migration 012). */
export type { PolicyRow, VersionPolicy };

type Q = Queries<PolicyTables>;

export interface NewPolicyRow {
  readonly org_id: string;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly body: string;
  readonly enabled: boolean;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** The order policies are listed and paged in: oldest first. */
export const POLICY_ORDER = keysetOrder({ created_at: 'timestamp', id: 'uuid' }, 'asc');
/** The order an org's policy versions are listed and paged in: newest first. */
export const POLICY_VERSION_ORDER = keysetOrder({ version: 'int' }, 'desc');

/** Every policy of the org (enabled or not), by name: orgs have tens of policies, versions snapshot them all. */
export async function listAllPolicies(tx: Q, orgId: string): Promise<PolicyRow[]> {
  return tx.selectFrom('policies').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
}

export async function listPoliciesPage(
  tx: Q,
  orgId: string,
  f: { limit: number; after: KeysetKey | undefined },
): Promise<PolicyRow[]> {
  return paginateByKeyset(
    tx.selectFrom('policies').selectAll().where('org_id', '=', orgId),
    POLICY_ORDER,
    f,
  ).execute();
}

export async function findPolicy(tx: Q, orgId: string, id: string): Promise<PolicyRow | undefined> {
  return tx
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertPolicy(tx: Q, row: NewPolicyRow): Promise<void> {
  await tx.insertInto('policies').values(row).execute();
}

export async function updatePolicy(
  tx: Q,
  orgId: string,
  id: string,
  set: { name: string; description: string; body: string; enabled: boolean; updated_at: Date },
): Promise<void> {
  await tx.updateTable('policies').set(set).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deletePolicy(tx: Q, orgId: string, id: string): Promise<void> {
  await tx.deleteFrom('policies').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteAllPolicies(tx: Q, orgId: string): Promise<void> {
  await tx.deleteFrom('policies').where('org_id', '=', orgId).execute();
}

/** Postgres unique_violation on (org_id, name): the race a pre-check cannot close. */
export const isPolicyNameConflict = (e: unknown): boolean => isUniqueViolation(e, 'policies_name_per_org');

export type PolicyVersionRow = Readonly<Omit<Selectable<PolicyVersionsTable>, 'org_id'>>;

const VERSION_COLUMNS = [
  'version',
  'hash',
  'policies',
  'change',
  'restored_from',
  'created_by',
  'created_at',
] as const;

export async function latestVersionNumber(tx: Q, orgId: string): Promise<number> {
  const r = await tx
    .selectFrom('policy_versions')
    .select((eb) => eb.fn.max('version').as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertVersion(
  tx: Q,
  orgId: string,
  v: Omit<PolicyVersionRow, 'created_at'> & { created_at: Date },
): Promise<void> {
  await tx
    .insertInto('policy_versions')
    .values({
      org_id: orgId,
      version: v.version,
      hash: v.hash,
      policies: JSON.stringify(v.policies),
      change: v.change,
      restored_from: v.restored_from,
      created_by: v.created_by,
      created_at: v.created_at,
    })
    .execute();
}

/** Newest first. */
export async function listVersions(
  tx: Q,
  orgId: string,
  f: { limit: number; after: KeysetKey | undefined },
): Promise<PolicyVersionRow[]> {
  const q = tx.selectFrom('policy_versions').select(VERSION_COLUMNS).where('org_id', '=', orgId);
  return paginateByKeyset(q, POLICY_VERSION_ORDER, f).execute();
}

export async function findVersion(
  tx: Q,
  orgId: string,
  version: number,
): Promise<PolicyVersionRow | undefined> {
  return tx
    .selectFrom('policy_versions')
    .select(VERSION_COLUMNS)
    .where('org_id', '=', orgId)
    .where('version', '=', version)
    .executeTakeFirst();
}
