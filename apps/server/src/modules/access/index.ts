export type { Action, Decision, Resource } from './authorize.ts';
export { admitThrottle, assertAllowed, authorize, productionAccess, scopeGrants } from './authorize.ts';
export type { BuiltInRole } from './built-in-roles.ts';
export { BUILT_IN_ROLES } from './built-in-roles.ts';
export { CEDAR_NAMESPACE, CEDAR_SCHEMA } from './cedar-schema.ts';
export { assertWithinHeld, heldPermissions } from './escalation.ts';
export { isTimeZone, localTime } from './local-time.ts';
export type { OrgPoliciesService } from './org-policies.service.ts';
export { createOrgPoliciesService } from './org-policies.service.ts';
export type { ObligationVocabulary } from './org-policy-check.ts';
export type { DecideInput, Obligations, PdpOutcome, ResourceRef } from './pdp.ts';
export { cedarRequestOf, decide, decisionMemoStats, policyEngine } from './pdp.ts';
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
export { policyRoutes } from './policies.routes.ts';
export type { DryRunDeps } from './policy-dry-run.ts';
export { policyFilterSql } from './policy-filter.repo.ts';
export type { CompileResult, OrgPolicy, OrgPolicySource, PolicySetHandle } from './policy-set.ts';
export { compileOrgPolicySet, orgPolicyId, policySetText, policySetVersion } from './policy-set.ts';
export { loadPolicySource } from './policy-set-cache.ts';
export type {
  CapabilityFacts,
  FilterCond,
  ResourceFilter,
  ServerFacts,
  Translation,
} from './residual-filter.ts';
export { translateResiduals } from './residual-filter.ts';
export { rolePolicies, rolePolicyId } from './role-policies.ts';
export { roleRoutes } from './roles.routes.ts';
export type { RolesService } from './roles.service.ts';
export { createRolesService } from './roles.service.ts';
export type { BuiltInRoles } from './seed-roles.ts';
export { createBuiltInRoles } from './seed-roles.ts';
export type { ServerScope } from './server-filter.ts';
export { serverFilterStats, serverScope, visibleServers } from './server-filter.ts';
export { assertRecentSignIn, STEP_UP_MAX_AGE_SECONDS } from './step-up.ts';
export { SYSTEM_POLICIES } from './system-policies.ts';
export { userRoutes } from './users.routes.ts';
export type { UsersService } from './users.service.ts';
export { createUsersService } from './users.service.ts';
