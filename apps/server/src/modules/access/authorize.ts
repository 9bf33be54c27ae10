import { AppError } from '../../kernel/index.ts';
import type { Principal } from '../identity/index.ts';

/**
 * The one authorization seam: `authorize(principal, action, resource)`. Today it checks API-key scopes
 * (`read` < `write` < `admin`, optionally narrowed as `servers:read`); the policy issue backs it with Cedar
 * without changing any caller. Fail closed: an action it does not know is denied.
 */
export type Action =
  | 'servers:list'
  | 'servers:read'
  | 'servers:create'
  | 'servers:update'
  | 'servers:delete'
  | 'servers:discover'
  | 'jobs:read'
  | 'search:query';

export interface Resource {
  readonly type: 'org' | 'server' | 'job';
  readonly orgId: string;
  readonly id?: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string; required: string };

const NEEDS: Record<Action, { type: string; level: 'read' | 'write' | 'admin' }> = {
  'servers:list': { type: 'servers', level: 'read' },
  'servers:read': { type: 'servers', level: 'read' },
  'servers:create': { type: 'servers', level: 'write' },
  'servers:update': { type: 'servers', level: 'write' },
  'servers:delete': { type: 'servers', level: 'write' },
  'servers:discover': { type: 'servers', level: 'write' },
  'jobs:read': { type: 'jobs', level: 'read' },
  'search:query': { type: 'servers', level: 'read' },
};

const RANK = { read: 1, write: 2, admin: 3 } as const;

function grants(scope: string, type: string, level: 'read' | 'write' | 'admin'): boolean {
  const [a, b] = scope.split(':');
  const scopeType = b === undefined ? undefined : a;
  const scopeLevel = (b ?? a) as keyof typeof RANK;
  if (!(scopeLevel in RANK)) return false;
  if (scopeType !== undefined && scopeType !== type) return false;
  return RANK[scopeLevel] >= RANK[level];
}

export function authorize(principal: Principal, action: Action, resource: Resource): Decision {
  const need = NEEDS[action];
  const required = `${need.type}:${need.level}`;
  if (need === undefined) return { allowed: false, reason: `unknown action ${action}`, required };
  if (resource.orgId !== principal.orgId)
    return { allowed: false, reason: 'resource belongs to another org', required };
  if (principal.scopes.some((s) => grants(s, need.type, need.level))) return { allowed: true };
  return { allowed: false, reason: `this key lacks the scope ${required} (or ${need.level})`, required };
}

/** Route guard: throws the 403 problem naming the required permission. */
export function assertAllowed(principal: Principal, action: Action, resource: Resource): void {
  const d = authorize(principal, action, resource);
  if (!d.allowed) throw new AppError('forbidden', `Not allowed to ${action}: ${d.reason}.`);
}
