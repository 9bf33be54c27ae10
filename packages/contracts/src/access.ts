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

export const UserStatus = StringEnum(['invited', 'active', 'disabled'], {
  description: '`invited` until the invitation is accepted; `disabled` once deactivated',
});

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

/** `POST /v1/users`: an invited local user (issue 10 point 5). */
export const InviteUserBody = Type.Object(
  {
    email: Type.String({
      minLength: 3,
      maxLength: 320,
      pattern: '^[^\\s@]+@[^\\s@]+$',
      description: 'the address the invitation is for; unique in the organization (case-insensitive)',
    }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    roles: Type.Array(RoleName, {
      maxItems: 50,
      uniqueItems: true,
      description: 'roles the user gets; each must be within your own permissions',
    }),
  },
  {
    additionalProperties: false,
    examples: [{ email: 'grace@example.com', roles: ['engineer'] }],
  },
);
export type InviteUserInput = Static<typeof InviteUserBody>;

export const InvitationSchema = Type.Object(
  {
    url: Type.String({
      description: 'the link to send the person; opens the page that activates the account',
    }),
    token: Type.String({ description: 'the single-use secret inside `url`; shown only in this response' }),
    expiresAt: DateTime,
  },
  { title: 'Invitation' },
);

export const InvitedUserSchema = Type.Object(
  { user: UserSchema, invitation: InvitationSchema },
  { $id: 'InvitedUser', title: 'InvitedUser' },
);
export type InvitedUser = Static<typeof InvitedUserSchema>;

/** `POST /auth/invitations/accept`: the link's token and the new password (JSON or a form post). */
export const AcceptInvitationBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 12, maxLength: 1024, description: 'at least 12 characters' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AcceptInvitationInput = Static<typeof AcceptInvitationBody>;

export const InvitationPageQuery = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
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
