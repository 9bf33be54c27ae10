import type { Queries } from '../../platform/db/index.ts';
import type { RbacTables } from './rbac.schema.ts';

type Q = Queries<RbacTables>;

/** Who can hold roles: users, OAuth clients and, since migration 022, API keys (ADR 0037). */
export type PrincipalType = 'user' | 'client' | 'api_key';

export async function roleIdsOf(tx: Q, orgId: string, type: PrincipalType, id: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('role_assignments')
    .select('role_id')
    .where('org_id', '=', orgId)
    .where('principal_type', '=', type)
    .where('principal_id', '=', id)
    .execute();
  return rows.map((r) => r.role_id);
}

/** Role ids per principal, for a page of principals. */
export async function roleIdsOfMany(
  tx: Q,
  orgId: string,
  type: PrincipalType,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await tx
    .selectFrom('role_assignments')
    .select(['principal_id', 'role_id'])
    .where('org_id', '=', orgId)
    .where('principal_type', '=', type)
    .where('principal_id', 'in', ids)
    .execute();
  for (const r of rows) out.get(r.principal_id)?.push(r.role_id);
  return out;
}

export async function addAssignments(
  tx: Q,
  orgId: string,
  who: { type: PrincipalType; id: string },
  roleIds: readonly string[],
  createdBy: string,
): Promise<void> {
  if (roleIds.length === 0) return;
  await tx
    .insertInto('role_assignments')
    .values(
      roleIds.map((role_id) => ({
        org_id: orgId,
        principal_type: who.type,
        principal_id: who.id,
        role_id,
        created_by: createdBy,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeAssignments(
  tx: Q,
  orgId: string,
  who: { type: PrincipalType; id: string },
  roleIds: readonly string[],
): Promise<void> {
  if (roleIds.length === 0) return;
  await tx
    .deleteFrom('role_assignments')
    .where('org_id', '=', orgId)
    .where('principal_type', '=', who.type)
    .where('principal_id', '=', who.id)
    .where('role_id', 'in', roleIds)
    .execute();
}

export async function countAssignments(tx: Q, orgId: string, roleId: string): Promise<number> {
  const r = await tx
    .selectFrom('role_assignments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('role_id', '=', roleId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Principals holding the role who can still act: clients, and users who are active. Used to keep an org from
 * losing its last owner.
 */
export async function activeHoldersOf(
  tx: Q,
  orgId: string,
  roleId: string,
): Promise<{ type: PrincipalType; id: string }[]> {
  const rows = await tx
    .selectFrom('role_assignments as a')
    .leftJoin('users as u', (j) =>
      j
        .onRef('u.org_id', '=', 'a.org_id')
        .on('a.principal_type', '=', 'user')
        .on((eb) => eb(eb.cast('u.id', 'text'), '=', eb.ref('a.principal_id'))),
    )
    .select(['a.principal_type', 'a.principal_id'])
    .where('a.org_id', '=', orgId)
    .where('a.role_id', '=', roleId)
    .where((eb) => eb.or([eb('a.principal_type', '=', 'client'), eb('u.status', '=', 'active')]))
    .execute();
  return rows.map((r) => ({ type: r.principal_type, id: r.principal_id }));
}

/** Active users holding any of these roles, with which of them each holds (who can still administer). */
export async function activeUsersHolding(
  tx: Q,
  orgId: string,
  roleIds: readonly string[],
): Promise<{ userId: string; roleId: string }[]> {
  if (roleIds.length === 0) return [];
  const rows = await tx
    .selectFrom('role_assignments as a')
    .innerJoin('users as u', (j) =>
      j
        .onRef('u.org_id', '=', 'a.org_id')
        .on((eb) => eb(eb.cast('u.id', 'text'), '=', eb.ref('a.principal_id'))),
    )
    .select(['a.principal_id', 'a.role_id'])
    .where('a.org_id', '=', orgId)
    .where('a.principal_type', '=', 'user')
    .where('a.role_id', 'in', roleIds)
    .where('u.status', '=', 'active')
    .execute();
  return rows.map((r) => ({ userId: r.principal_id, roleId: r.role_id }));
}
/**
 * Every principal holding a role, with its role ids; users only while active (a disabled user can do nothing).
 * For "who can still administer the organization" (administrators.ts).
 */
export async function roleHolders(
  tx: Q,
  orgId: string,
): Promise<{ type: PrincipalType; id: string; roleIds: string[] }[]> {
  const rows = await tx
    .selectFrom('role_assignments as a')
    .leftJoin('users as u', (j) =>
      j
        .onRef('u.org_id', '=', 'a.org_id')
        .on('a.principal_type', '=', 'user')
        .on((eb) => eb(eb.cast('u.id', 'text'), '=', eb.ref('a.principal_id'))),
    )
    .select(['a.principal_type', 'a.principal_id', 'a.role_id'])
    .where('a.org_id', '=', orgId)
    .where((eb) => eb.or([eb('a.principal_type', '!=', 'user'), eb('u.status', '=', 'active')]))
    .orderBy('a.principal_type')
    .orderBy('a.principal_id')
    .execute();
  const out = new Map<string, { type: PrincipalType; id: string; roleIds: string[] }>();
  for (const r of rows) {
    const key = `${r.principal_type}:${r.principal_id}`;
    let h = out.get(key);
    if (h === undefined) {
      h = { type: r.principal_type, id: r.principal_id, roleIds: [] };
      out.set(key, h);
    }
    h.roleIds.push(r.role_id);
  }
  return [...out.values()];
}
