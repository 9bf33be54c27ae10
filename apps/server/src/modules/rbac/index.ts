export type { AccountRow } from './accounts.repo.ts';
/** Sign-in's door to the accounts it keeps on rbac's users (ADR 0035). */
export * as accounts from './accounts.repo.ts';
export { BUILT_IN_ROLES } from './built-in-roles.ts';
export { assertWithinHeld } from './escalation.ts';
export type { Grant, Who } from './permission-cache.ts';
export { announceAccessChange } from './permission-resolver.ts';
export type { RbacModule } from './rbac.module.ts';
export { createRbacModule } from './rbac.module.ts';
export type { RbacTables } from './rbac.schema.ts';
export { listAllRoles, lockOrgAccess } from './roles.repo.ts';
export type { RolesService } from './roles.service.ts';
export type { UsersService } from './users.service.ts';
