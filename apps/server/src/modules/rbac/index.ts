export type { AccountRow } from './accounts.repo.ts';
/** Sign-in's door to the accounts it keeps on rbac's users (ADR 0035). */
export * as accounts from './accounts.repo.ts';
export type { Administrators, CredentialSource, LiveCredential } from './administrators.ts';
export { ADMINISTER, ORG_ADMIN_PERMISSIONS, whoCanAdminister } from './administrators.ts';
export { BUILT_IN_ROLES } from './built-in-roles.ts';
export type { CredentialRoles } from './credential-roles.ts';
export { assertWithinHeld } from './escalation.ts';
export type { Grant, Who } from './permission-cache.ts';
export { announceAccessChange } from './permission-resolver.ts';
export { RBAC_ERRORS, userEmailTaken, userNotFound } from './rbac.errors.ts';
export type { RbacModule } from './rbac.module.ts';
export { createRbacModule } from './rbac.module.ts';
export type { RbacTables } from './rbac.schema.ts';
export { listAllRoles, lockOrgAccess } from './roles.repo.ts';
export type { RolesService } from './roles.service.ts';
export type { DeactivationStep, UserLifecycle } from './user-lifecycle.ts';
export { isEmailConflict } from './users.repo.ts';
export type { UsersService } from './users.service.ts';
