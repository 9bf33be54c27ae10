export type { Action, Authorizer, Decision, Obligations, Resource } from './authorizer.ts';
export type {
  CapabilityAttr,
  CapabilityFacts,
  FilterAttr,
  FilterCond,
  ResourceFilter,
  ServerAttr,
  ServerFacts,
  VisibleServers,
} from './listing.ts';
export { holds, mayWithhold, showsCapability } from './listing.ts';
export type { McpTool, ToolCaller } from './mcp-tool.ts';
export type { Permission, ScopeLevel } from './permissions.ts';
export { ALL_PERMISSIONS, isPermission, PERMISSIONS } from './permissions.ts';
