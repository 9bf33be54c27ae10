import { type Static, Type } from '@sinclair/typebox';
import { DateTime, PageQuery, StringEnum, Uuid } from './common.ts';

/**
 * Roles, role assignments and users (story 1.3). Permission names are listed in docs/permissions.md (the
 * server's catalogue); the server answers 422 for a name it does not know.
 */
export const RoleName = Type.String({
  pattern: '^[a-z][a-z0-9_-]{0,62}$',
  description: 'lower-case identifier, e.g. `release-manager`',
});
export const PermissionName = Type.String({
  pattern: '^[a-z_]{1,40}:[a-z_]{1,40}$',
  description: 'a permission from docs/permissions.md, e.g. `servers:create`',
});
const PermissionList = Type.Array(PermissionName, { maxItems: 100, uniqueItems: true });

export const RoleSchema = Type.Object(
  {
    id: Uuid,
    name: RoleName,
    description: Type.String(),
    builtIn: Type.Boolean({ description: 'built-in roles cannot be changed or deleted' }),
    extends: Type.Union([RoleName, Type.Null()], {
      description: 'the role whose permissions this one inherits',
    }),
    extendsRoleId: Type.Union([Uuid, Type.Null()]),
    permissions: Type.Array(Type.String(), { description: 'the permissions this role adds' }),
    effectivePermissions: Type.Array(Type.String(), { description: 'its own and all inherited permissions' }),
    createdAt: DateTime,
    updatedAt: DateTime,
    links: Type.Object({ self: Type.String() }),
  },
  { $id: 'Role', title: 'Role' },
);
export type Role = Static<typeof RoleSchema>;

export const RolePageSchema = Type.Object({
  items: Type.Array(RoleSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ListRolesQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type ListRolesFilter = Static<typeof ListRolesQuery>;

export const CreateRoleBody = Type.Object(
  {
    name: RoleName,
    description: Type.Optional(Type.String({ maxLength: 500 })),
    extends: Type.Optional(Type.Union([RoleName, Type.Null()])),
    permissions: PermissionList,
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'release-manager',
        description: 'Engineers who may also read the audit log',
        extends: 'engineer',
        permissions: ['audit:read'],
      },
    ],
  },
);
export type CreateRoleInput = Static<typeof CreateRoleBody>;

export const UpdateRoleBody = Type.Partial(CreateRoleBody, { additionalProperties: false, minProperties: 1 });
export type UpdateRoleInput = Static<typeof UpdateRoleBody>;

const UserStatus = StringEnum(['active', 'disabled']);

export const UserSchema = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    name: Type.String(),
    status: UserStatus,
    roles: Type.Array(RoleName),
    effectivePermissions: Type.Array(Type.String(), { description: 'the union of the roles’ permissions' }),
    createdAt: DateTime,
    updatedAt: DateTime,
    lastLoginAt: Type.Union([DateTime, Type.Null()]),
    links: Type.Object({ self: Type.String(), roles: Type.String() }),
  },
  { $id: 'User', title: 'User' },
);
export type User = Static<typeof UserSchema>;

export const UserPageSchema = Type.Object({
  items: Type.Array(UserSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ListUsersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'text in email or name' })),
    status: Type.Optional(UserStatus),
    role: Type.Optional(RoleName),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListUsersFilter = Static<typeof ListUsersQuery>;

export const SetUserRolesBody = Type.Object(
  { roles: Type.Array(RoleName, { maxItems: 50, uniqueItems: true, description: 'the complete new list' }) },
  { additionalProperties: false, examples: [{ roles: ['engineer', 'analyst'] }] },
);
export type SetUserRolesInput = Static<typeof SetUserRolesBody>;

/**
 * `?force=true` on a change that would leave the organization with no credential able to administer it (issue
 * 10 point 4, ADR 0037): without it such a change answers 409 `last_administrator` and changes nothing.
 */
export const ForceQuery = Type.Object(
  {
    force: Type.Optional(
      Type.Boolean({
        description:
          'make the change even if it leaves the organization with no credential able to administer it ' +
          '(otherwise 409 last_administrator)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ForceFlag = Static<typeof ForceQuery>;
