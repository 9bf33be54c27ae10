/**
 * The one list of permissions: the actions an `Authorizer` decides on (authorizer.ts). Roles are named sets of
 * them (rbac's built-in-roles.ts) and API-key scopes map onto them through `scope`. `docs/permissions.md` is
 * generated from this constant and checked against it by rbac's `permissions-doc.test.ts`.
 *
 * `scope` is what an API key (or access token) needs for the action: a level (`read` < `write` < `admin`),
 * optionally narrowed to the `type` (`servers:write`).
 */
export type ScopeLevel = 'read' | 'write' | 'admin';

export interface PermissionSpec {
  readonly description: string;
  readonly scope: { readonly type: string; readonly level: ScopeLevel };
}

export const PERMISSIONS = {
  'servers:list': { description: 'List MCP servers.', scope: { type: 'servers', level: 'read' } },
  'servers:read': {
    description: 'Read one MCP server and its capability versions.',
    scope: { type: 'servers', level: 'read' },
  },
  'servers:create': { description: 'Register MCP servers.', scope: { type: 'servers', level: 'write' } },
  'servers:update': {
    description: 'Change MCP servers (URL, credentials, tags).',
    scope: { type: 'servers', level: 'write' },
  },
  'servers:delete': { description: 'Delete MCP servers.', scope: { type: 'servers', level: 'write' } },
  'servers:production': {
    description: 'Access servers in the production environment.',
    scope: { type: 'servers', level: 'read' },
  },
  'servers:discover': {
    description: 'Start capability discovery on MCP servers.',
    scope: { type: 'servers', level: 'write' },
  },
  'tools:call': {
    description:
      'Call tools, read resources and get prompts of MCP servers through the MCP gateway (each call decided by policy).',
    scope: { type: 'tools', level: 'write' },
  },
  'jobs:read': { description: 'Watch background jobs.', scope: { type: 'jobs', level: 'read' } },
  'search:query': { description: 'Search capabilities.', scope: { type: 'servers', level: 'read' } },
  'roles:read': { description: 'List roles and their permissions.', scope: { type: 'roles', level: 'read' } },
  'roles:write': {
    description:
      'Create, change and delete custom roles, and assign roles to users (only roles within your own permissions).',
    scope: { type: 'roles', level: 'admin' },
  },
  'users:read': { description: 'List users and their roles.', scope: { type: 'users', level: 'read' } },
  'users:write': {
    description: 'Change users (profile, enable and disable).',
    scope: { type: 'users', level: 'admin' },
  },
  'api_keys:read': {
    description: 'List API keys (never their secrets).',
    scope: { type: 'api_keys', level: 'read' },
  },
  'api_keys:write': {
    description: 'Create and revoke API keys, with scopes within your own permissions.',
    scope: { type: 'api_keys', level: 'write' },
  },
  'api_keys:admin': {
    description: 'Manage every API key of the organization, including admin keys.',
    scope: { type: 'api_keys', level: 'admin' },
  },
  'sso:write': {
    description: "Configure the organization's single sign-on (OpenID provider).",
    scope: { type: 'sso', level: 'admin' },
  },
  'policies:read': { description: 'Read access policies.', scope: { type: 'policies', level: 'read' } },
  'policies:write': { description: 'Change access policies.', scope: { type: 'policies', level: 'admin' } },
  'audit:read': { description: 'Read the audit log.', scope: { type: 'audit', level: 'read' } },
  'quotas:read': {
    description: "See the organization's quotas, monthly budget and their usage.",
    scope: { type: 'quotas', level: 'read' },
  },
  'quotas:write': {
    description: "Override the organization's quota limits and set its monthly budget.",
    scope: { type: 'quotas', level: 'admin' },
  },
  'trust:read': {
    description: 'See the trust store (public keys that sign capability manifests) and its settings.',
    scope: { type: 'trust', level: 'read' },
  },
  'trust:write': {
    description: 'Add and remove trust-store keys and require signed manifests.',
    scope: { type: 'trust', level: 'admin' },
  },
  'usage:read': {
    description: 'See the usage records of calls through the MCP gateway and their sums.',
    scope: { type: 'usage', level: 'read' },
  },
  'egress:read': {
    description: "See the organization's egress rules and check whether a URL may be reached.",
    scope: { type: 'egress', level: 'read' },
  },
  'egress:write': {
    description: "Change the organization's egress rules (allowlist, denylist, denied ports, rate limit).",
    scope: { type: 'egress', level: 'admin' },
  },
  'virtual_servers:read': {
    description: 'See the virtual servers (MCP endpoints at /mcp/{slug}) and the tools each shows.',
    scope: { type: 'virtual_servers', level: 'read' },
  },
  'virtual_servers:write': {
    description:
      'Create, change and delete virtual servers: which tools an endpoint shows, under which names; approve tool definitions of pinning ones (ADR 0044).',
    scope: { type: 'virtual_servers', level: 'write' },
  },
} as const satisfies Record<string, PermissionSpec>;

/** A permission, which is also an action an `Authorizer` decides on. */
export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS: readonly Permission[] = Object.freeze(Object.keys(PERMISSIONS) as Permission[]);

export const isPermission = (s: string): s is Permission => Object.hasOwn(PERMISSIONS, s);

export const permissionSpec = (p: Permission): PermissionSpec => PERMISSIONS[p];
