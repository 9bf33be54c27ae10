export type { Action, Authorizer, Decision, Obligations, Resource } from './authorizer.ts';
export type {
  CapabilityFacts,
  FilterAttr,
  FilterCond,
  ResourceFilter,
  ServerFacts,
  VisibleServers,
} from './listing.ts';
export type { Permission, ScopeLevel } from './permissions.ts';
export { ALL_PERMISSIONS, isPermission, PERMISSIONS } from './permissions.ts';
