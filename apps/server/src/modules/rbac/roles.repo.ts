import { type Selectable, sql } from 'kysely';
import { keysetOrder } from '../../kernel/index.ts';
import type { Queries } from '../../platform/db/index.ts';
import { findOwned, isUniqueViolation } from '../../platform/db/index.ts';
import type { RbacTables, RolesTable } from './rbac.schema.ts';

type Q = Queries<RbacTables>;

export type RoleRow = Selectable<RolesTable>;

/**
 * Serialises changes to an org's roles and role assignments (transaction-scoped advisory lock), so checks
 * that read several rows (inheritance cycles, the last owner) cannot be raced by a concurrent change.
 */
export async function lockOrgAccess(tx: Q, orgId: string): Promise<void> {
  // Raw: an advisory lock is a function call with no table, which the builder has no statement for.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`access:${orgId}`}, 0))`.execute(tx);
}

/** The order roles are listed in, oldest first: read whole (listAllRoles) and paged in memory. */
export const ROLE_ORDER = keysetOrder({ created_at: 'timestamp', id: 'uuid' }, 'asc');

/** Every role of the org, in ROLE_ORDER: orgs have tens of roles, and inheritance needs them all. */
export async function listAllRoles(tx: Q, orgId: string): Promise<RoleRow[]> {
  return tx
    .selectFrom('roles')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findRole(tx: Q, orgId: string, id: string): Promise<RoleRow | undefined> {
  return findOwned(tx, { table: 'roles', orgId, id }, () =>
    tx.selectFrom('roles').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  );
}

export async function insertRole(
  tx: Q,
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
  tx: Q,
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

export async function deleteRole(tx: Q, orgId: string, id: string): Promise<void> {
  await tx.deleteFrom('roles').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Postgres unique_violation on the role name: the race the pre-check cannot close. */
export const isRoleNameConflict = (e: unknown): boolean => isUniqueViolation(e, 'roles_name_per_org');
