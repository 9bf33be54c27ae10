/**
 * The policies every org's set starts with. They are Cedar text like an org's own, shown in docs/policies.md,
 * and cannot be removed by an org (an org can only add policies; a `forbid` always wins over a `permit`).
 *
 * - tenancy: nothing is allowed on a resource of another org, whoever permits it;
 * - API keys are governed by their scopes (`context.scopeGranted`: a scope word grants the action, see
 *   docs/scopes.md);
 * - an access token never does more than it was issued for: for a token-scoped caller, an action no scope
 *   grants is forbidden even when a role permits it;
 * - production servers (and their capabilities) are out of reach unless the caller holds `servers:production`:
 *   `context.productionAccess` is the PDP's own answer to `servers:production` on the org, decided once per
 *   request (authorize.ts, ADR 0020), so roles, key scopes, token scopes and org policies all shape it.
 *
 * Roles' permissions are policies too, generated per role (role-policies.ts).
 */
const NS = 'SprintConnect';

export const SYSTEM_POLICIES: Readonly<Record<string, string>> = Object.freeze({
  'system/tenancy': `@reason("the resource belongs to another organization")
forbid (principal, action, resource)
unless {
  (resource is ${NS}::Org && resource == principal.org) ||
  (resource is ${NS}::Server && resource.org == principal.org) ||
  (resource is ${NS}::Capability && resource.org == principal.org) ||
  (resource is ${NS}::Resource && resource.org == principal.org)
};`,
  'system/api-key-scopes': `@reason("one of the key's scopes grants this action")
permit (principal is ${NS}::ApiKey, action, resource)
when { context.scopeGranted };`,
  'system/production': `@reason("the server is in production and the caller lacks the permission servers:production")
forbid (principal, action, resource)
when {
  (resource is ${NS}::Server && resource.environment == "production") ||
  (resource is ${NS}::Capability && resource.server.environment == "production")
}
unless { context has productionAccess && context.productionAccess };`,
  'system/token-scopes': `@reason("the access token has no scope that grants this action")
forbid (principal, action, resource)
when { context.tokenScoped && !context.scopeGranted };`,
});
