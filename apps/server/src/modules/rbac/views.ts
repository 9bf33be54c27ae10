import type { Role, User } from '@sprintconnect/contracts';
import type { RoleRecord } from './permission-cache.ts';
import { effectivePermissions, permissionsOfRoles } from './role-graph.ts';
import type { RoleRow } from './roles.repo.ts';
import type { UserRow } from './users.repo.ts';

export type RoleIndex = ReadonlyMap<string, RoleRecord>;

export const roleIndex = (rows: readonly RoleRow[]): Map<string, RoleRecord> =>
  new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, name: r.name, extendsId: r.extends_role_id, permissions: r.permissions },
    ]),
  );

export function toRoleView(row: RoleRow, roles: RoleIndex): Role {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    builtIn: row.built_in,
    extends: row.extends_role_id === null ? null : (roles.get(row.extends_role_id)?.name ?? null),
    extendsRoleId: row.extends_role_id,
    permissions: [...row.permissions],
    effectivePermissions: effectivePermissions(roles, row.id),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    links: { self: `/v1/roles/${row.id}` },
  };
}

export function toUserView(row: UserRow, roleIds: readonly string[], roles: RoleIndex): User {
  const names = roleIds.flatMap((id) => {
    const r = roles.get(id);
    return r === undefined ? [] : [r.name];
  });
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    roles: names.sort(),
    // What the roles grant; a disabled user can do nothing whatever their roles.
    effectivePermissions: row.status === 'active' ? permissionsOfRoles(roles, roleIds) : [],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    links: { self: `/v1/users/${row.id}`, roles: `/v1/users/${row.id}/roles` },
  };
}
