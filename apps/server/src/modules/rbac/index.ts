export { BUILT_IN_ROLES } from './built-in-roles.ts';
export { assertWithinHeld } from './escalation.ts';
export type { Grant, Who } from './permission-cache.ts';
export { announceAccessChange } from './permission-resolver.ts';
export type { RbacModule } from './rbac.module.ts';
export { createRbacModule } from './rbac.module.ts';
export { listAllRoles, lockOrgAccess } from './roles.repo.ts';
export type { RolesService } from './roles.service.ts';
export type { UsersService } from './users.service.ts';
