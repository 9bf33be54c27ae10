import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

export const RBAC_ERRORS = defineErrors({
  role_not_found: { status: 404, title: 'Role not found' },
  role_name_taken: { status: 409, title: 'Role name already used' },
  role_built_in: { status: 409, title: 'Built-in role cannot be changed' },
  role_in_use: { status: 409, title: 'Role in use' },
  role_inheritance_invalid: { status: 422, title: 'Invalid role inheritance' },
  user_not_found: { status: 404, title: 'User not found' },
  last_owner: { status: 409, title: 'Last owner' },
  // Deactivation and invitations (issue 10 point 5, ADR 0038).
  user_email_taken: { status: 409, title: 'Email already used' },
  cannot_deactivate_self: { status: 409, title: 'Cannot deactivate yourself' },
  last_admin: { status: 409, title: 'Last administrator' },
  // Revoking, demoting or removing the last credential able to administer (issue 10 point 4, ADR 0037).
  last_administrator: { status: 409, title: 'Last administrator' },
});

export type RbacErrorCode = CodeOf<typeof RBAC_ERRORS>;

export class RbacError extends AppError<RbacErrorCode> {}

export const roleNotFound = (id: string) =>
  new RbacError('role_not_found', `No role ${id} in this organization.`);

export const roleNameTaken = (name: string) =>
  new RbacError('role_name_taken', `A role named "${name}" already exists in this organization.`, {
    errors: [{ pointer: '/name', detail: 'already used' }],
  });

export const roleBuiltIn = (name: string) =>
  new RbacError(
    'role_built_in',
    `"${name}" is a built-in role and cannot be changed or deleted; create a custom role that extends it instead.`,
  );

export const roleInUse = (name: string, users: number, children: string[]) => {
  const parts = [
    ...(users > 0 ? [`assigned to ${users} ${users === 1 ? 'principal' : 'principals'}`] : []),
    ...(children.length > 0 ? [`extended by ${children.map((c) => `"${c}"`).join(', ')}`] : []),
  ];
  return new RbacError('role_in_use', `The role "${name}" is ${parts.join(' and ')}; change those first.`);
};

export const inheritanceInvalid = (detail: string) =>
  new RbacError('role_inheritance_invalid', `Invalid extends: ${detail}.`, {
    errors: [{ pointer: '/extends', detail }],
  });

export const unknownRoleNames = (pointer: string, names: { index: number; name: string }[]) =>
  new AppError('validation_failed', `No such role: ${names.map((n) => `"${n.name}"`).join(', ')}.`, {
    errors: names.map((n) => ({ pointer: `${pointer}/${n.index}`, detail: `no role named "${n.name}"` })),
  });

export const unknownPermissions = (list: { index: number; name: string }[]) =>
  new AppError(
    'validation_failed',
    `Unknown permission: ${list.map((p) => p.name).join(', ')}; see docs/permissions.md.`,
    { errors: list.map((p) => ({ pointer: `/permissions/${p.index}`, detail: 'unknown permission' })) },
  );

export const userNotFound = (id: string) =>
  new RbacError('user_not_found', `No user ${id} in this organization.`);

export const lastOwner = () =>
  new RbacError(
    'last_owner',
    'This would leave the organization without an active owner; give the owner role to someone else first.',
  );

export const userEmailTaken = (email: string) =>
  new RbacError(
    'user_email_taken',
    `A user with the email ${email} already exists in this organization; see \`GET /v1/users?q=${email}\`.`,
    { errors: [{ pointer: '/email', detail: 'already used' }] },
  );

export const cannotDeactivateSelf = () =>
  new RbacError(
    'cannot_deactivate_self',
    'You cannot deactivate your own account; ask another administrator to do it.',
  );

export const lastAdmin = (email: string) =>
  new RbacError(
    'last_admin',
    `${email} is the last active user who can administer this organization (users:write and roles:write); ` +
      'give another active user an administrator role first.',
  );
/** Issue 10 point 4 (ADR 0037): `what` completes "This would ...", e.g. `revoke the API key "ci"`. */
export const lastAdministrator = (what: string) =>
  new RbacError(
    'last_administrator',
    `This would ${what} and leave the organization with no credential able to administer it (one holding ` +
      'roles:write, users:write and api_keys:admin: an active user, a CI client or an API key). Give another ' +
      'credential that power first, or repeat the request with ?force=true if you mean it.',
  );
