import { type Selectable, sql } from 'kysely';
import type { RolesTable, Tx } from '../../platform/db/index.ts';
import { findOwned } from '../../platform/db/index.ts';

export type RoleRow = Selectable<RolesTable>;

/**
 * Serialises changes to an org's roles and role assignments (transaction-scoped advisory lock), so checks
 * that read several rows (inheritance cycles, the last owner) cannot be raced by a concurrent change.
 */
export async function lockOrgAccess(tx: Tx, orgId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`access:${orgId}`}, 0))`.execute(tx);
}

/** Every role of the org, oldest first: orgs have tens of roles, and inheritance needs them all. */
export async function listAllRoles(tx: Tx, orgId: string): Promise<RoleRow[]> {
  return tx
    .selectFrom('roles')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findRole(tx: Tx, orgId: string, id: string): Promise<RoleRow | undefined> {
  return findOwned(tx, { table: 'roles', orgId, id }, () =>
    tx.selectFrom('roles').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  );
}

export async function insertRole(
  tx: Tx,
  row: Pick<
    RoleRow,
    'org_id' | 'id' | 'name' | 'description' | 'built_in' | 'extends_role_id' | 'permissions'
  > & {
    created_at?: Date;
  },
): Promise<boolean> {
  const r = await tx
    .insertInto('roles')
    .values({ ...row, updated_at: row.created_at })
    .onConflict((oc) => oc.columns(['org_id', 'name']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function updateRole(
  tx: Tx,
  orgId: string,
  id: string,
  patch: Partial<Pick<RoleRow, 'name' | 'description' | 'extends_role_id' | 'permissions'>>,
): Promise<void> {
  await tx
    .updateTable('roles')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function deleteRole(tx: Tx, orgId: string, id: string): Promise<void> {
  await tx.deleteFrom('roles').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Postgres unique_violation on the role name: the race the pre-check cannot close. */
export const isRoleNameConflict = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: string }).code === '23505' &&
  (e as { constraint?: string }).constraint === 'roles_name_per_org';
