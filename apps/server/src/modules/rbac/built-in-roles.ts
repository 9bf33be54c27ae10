import type { Permission } from '../authz/index.ts';

/**
 * The five roles every organization has. Each names only the permissions it adds to the role it extends
 * (single-parent inheritance), so the ladder reads viewer -> engineer -> admin -> owner, with analyst beside
 * engineer. The rows are kept in step with this list on first use per org and process (roles.service.ts).
 * Owner alone may configure single sign-on: a wrong identity provider hands the whole org to whoever controls
 * it, and an admin must not be able to make themselves owner through it.
 */
export interface BuiltInRole {
  readonly name: string;
  readonly description: string;
  readonly extends: string | null;
  readonly permissions: readonly Permission[];
}

export const BUILT_IN_ROLES: readonly BuiltInRole[] = Object.freeze([
  {
    name: 'viewer',
    description: 'Sees MCP servers, their capabilities and jobs.',
    extends: null,
    permissions: [
      'servers:list',
      'servers:read',
      'jobs:read',
      'search:query',
      'quotas:read',
      'virtual_servers:read',
    ],
  },
  {
    name: 'analyst',
    description: 'A viewer who also reads the audit log and the usage of the gateway.',
    extends: 'viewer',
    permissions: ['audit:read', 'servers:production', 'usage:read'],
  },
  {
    name: 'engineer',
    description: 'Registers and runs MCP servers and manages API keys for automation.',
    extends: 'viewer',
    permissions: [
      'servers:production',
      'servers:create',
      'servers:update',
      'servers:delete',
      'servers:discover',
      'tools:call',
      'api_keys:read',
      'api_keys:write',
      'policies:read',
      'trust:read',
      'egress:read',
      'virtual_servers:write',
    ],
  },
  {
    name: 'admin',
    description: 'Manages users, roles, API keys and policies.',
    extends: 'engineer',
    permissions: [
      'audit:read',
      'usage:read',
      'roles:read',
      'roles:write',
      'users:read',
      'users:write',
      'api_keys:admin',
      'policies:write',
      'trust:write',
      'quotas:write',
      'egress:write',
    ],
  },
  {
    name: 'owner',
    description: 'Everything, including single sign-on.',
    extends: 'admin',
    permissions: ['sso:write'],
  },
]);

export const BUILT_IN_ROLE_NAMES: ReadonlySet<string> = new Set(BUILT_IN_ROLES.map((r) => r.name));
