import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.ts';
import type { PolicyRow } from './policies.repo.ts';

/** SQL for org policies (table of migration 007) and the versions of an org's set (migration 012). */
export type { PolicyRow };

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

/** Every policy of the org (enabled or not), by name: orgs have tens of policies, versions snapshot them all. */
export async function listAllPolicies(tx: Tx, orgId: string): Promise<PolicyRow[]> {
  return tx.selectFrom('policies').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
}

export async function listPoliciesPage(
  tx: Tx,
  orgId: string,
  f: { limit: number; after?: { createdAt: string; id: string } },
): Promise<PolicyRow[]> {
  let q = tx.selectFrom('policies').selectAll().where('org_id', '=', orgId);
  const after = f.after;
  if (after !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '>', new Date(after.createdAt)),
        eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('id', '>', after.id)]),
      ]),
    );
  }
  return q.orderBy('created_at').orderBy('id').limit(f.limit).execute();
}

export async function findPolicy(tx: Tx, orgId: string, id: string): Promise<PolicyRow | undefined> {
  return tx
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertPolicy(tx: Tx, row: NewPolicyRow): Promise<void> {
  await tx.insertInto('policies').values(row).execute();
}

export async function updatePolicy(
  tx: Tx,
  orgId: string,
  id: string,
  set: { name: string; description: string; body: string; enabled: boolean; updated_at: Date },
): Promise<void> {
  await tx.updateTable('policies').set(set).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deletePolicy(tx: Tx, orgId: string, id: string): Promise<void> {
  await tx.deleteFrom('policies').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteAllPolicies(tx: Tx, orgId: string): Promise<void> {
  await tx.deleteFrom('policies').where('org_id', '=', orgId).execute();
}

/** Postgres unique_violation on (org_id, name): the race a pre-check cannot close. */
export const isPolicyNameConflict = (e: unknown): boolean =>
  (e as { code?: string; constraint?: string }).code === '23505' &&
  (e as { constraint?: string }).constraint === 'policies_name_per_org';

export interface VersionPolicy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly policy: string;
  readonly enabled: boolean;
}

export interface PolicyVersionRow {
  readonly version: number;
  readonly hash: string;
  readonly policies: VersionPolicy[];
  readonly change: string;
  readonly restored_from: number | null;
  readonly created_by: string;
  readonly created_at: Date;
}

export async function latestVersionNumber(tx: Tx, orgId: string): Promise<number> {
  const r = await sql<{ n: number | null }>`
    SELECT max(version) AS n FROM policy_versions WHERE org_id = ${orgId}`.execute(tx);
  return Number(r.rows[0]?.n ?? 0);
}

export async function insertVersion(
  tx: Tx,
  orgId: string,
  v: Omit<PolicyVersionRow, 'created_at'> & { created_at: Date },
): Promise<void> {
  await sql`
    INSERT INTO policy_versions (org_id, version, hash, policies, change, restored_from, created_by, created_at)
    VALUES (${orgId}, ${v.version}, ${v.hash}, ${JSON.stringify(v.policies)}::jsonb, ${v.change},
            ${v.restored_from}, ${v.created_by}, ${v.created_at})`.execute(tx);
}

/** Newest first. */
export async function listVersions(
  tx: Tx,
  orgId: string,
  f: { limit: number; before?: number },
): Promise<PolicyVersionRow[]> {
  const r = await sql<PolicyVersionRow>`
    SELECT version, hash, policies, change, restored_from, created_by, created_at
    FROM policy_versions
    WHERE org_id = ${orgId} AND (${f.before ?? null}::integer IS NULL OR version < ${f.before ?? null}::integer)
    ORDER BY version DESC
    LIMIT ${f.limit}`.execute(tx);
  return r.rows;
}

export async function findVersion(
  tx: Tx,
  orgId: string,
  version: number,
): Promise<PolicyVersionRow | undefined> {
  const r = await sql<PolicyVersionRow>`
    SELECT version, hash, policies, change, restored_from, created_by, created_at
    FROM policy_versions WHERE org_id = ${orgId} AND version = ${version}`.execute(tx);
  return r.rows[0];
}
