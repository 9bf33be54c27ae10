export type { Action, Decision, Resource } from './authorize.ts';
export { assertAllowed, authorize, scopeGrants } from './authorize.ts';
export type { BuiltInRole } from './built-in-roles.ts';
export { BUILT_IN_ROLES } from './built-in-roles.ts';
export { assertWithinHeld, heldPermissions } from './escalation.ts';
export type { Grant } from './permission-cache.ts';
export type { PermissionResolver } from './permission-resolver.ts';
export {
  ACCESS_CHANNEL,
  announceAccessChange,
  createPermissionResolver,
  withPermissions,
} from './permission-resolver.ts';
export type { Permission, PermissionSpec } from './permissions.ts';
export { ALL_PERMISSIONS, isPermission, PERMISSIONS } from './permissions.ts';
export { roleRoutes } from './roles.routes.ts';
export type { RolesService } from './roles.service.ts';
export { createRolesService } from './roles.service.ts';
export type { BuiltInRoles } from './seed-roles.ts';
export { createBuiltInRoles } from './seed-roles.ts';
export { assertRecentSignIn, STEP_UP_MAX_AGE_SECONDS } from './step-up.ts';
export { userRoutes } from './users.routes.ts';
export type { UsersService } from './users.service.ts';
export { createUsersService } from './users.service.ts';
