import { AppError } from '../../kernel/index.ts';

export const roleNotFound = (id: string) =>
  new AppError('role_not_found', `No role ${id} in this organization.`);

export const roleNameTaken = (name: string) =>
  new AppError('role_name_taken', `A role named "${name}" already exists in this organization.`, {
    errors: [{ pointer: '/name', detail: 'already used' }],
  });

export const roleBuiltIn = (name: string) =>
  new AppError(
    'role_built_in',
    `"${name}" is a built-in role and cannot be changed or deleted; create a custom role that extends it instead.`,
  );

export const roleInUse = (name: string, users: number, children: string[]) => {
  const parts = [
    ...(users > 0 ? [`assigned to ${users} ${users === 1 ? 'principal' : 'principals'}`] : []),
    ...(children.length > 0 ? [`extended by ${children.map((c) => `"${c}"`).join(', ')}`] : []),
  ];
  return new AppError('role_in_use', `The role "${name}" is ${parts.join(' and ')}; change those first.`);
};

export const inheritanceInvalid = (detail: string) =>
  new AppError('role_inheritance_invalid', `Invalid extends: ${detail}.`, {
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
  new AppError('user_not_found', `No user ${id} in this organization.`);

export const lastOwner = () =>
  new AppError(
    'last_owner',
    'This would leave the organization without an active owner; give the owner role to someone else first.',
  );
