import { AppError } from '../../kernel/index.ts';
import type { Principal } from '../identity/index.ts';
import { isPermission, PERMISSIONS, type Permission, type ScopeLevel } from './permissions.ts';

/**
 * The one authorization seam: `authorize(principal, action, resource)`, pure and fail closed. The policy issue
 * backs it with Cedar without changing any caller.
 *
 * - API keys are governed by their scopes (`read` < `write` < `admin`, optionally narrowed as `servers:write`).
 * - Users and clients by their roles' permissions (`principal.permissions`, resolved per request). When the
 *   request came with an access token, or the principal carries scopes, the token's scopes narrow that further:
 *   the action must be both permitted by a role and granted by a scope (OAuth: a token never does more than
 *   the user may, nor more than it was issued for). OpenID scopes (`openid`, `email`) grant nothing.
 * - Anything else, an unknown action, or a resource of another org: denied.
 */
export type Action = Permission;

export interface Resource {
  readonly type: 'org' | 'server' | 'job' | 'role' | 'user' | 'api_key' | 'policy';
  readonly orgId: string;
  readonly id?: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string; required: string };

const RANK: Record<ScopeLevel, number> = { read: 1, write: 2, admin: 3 };

/** Whether one scope word grants the action: a level, a type-narrowed level, or the permission's own name. */
export function scopeGrants(scope: string, action: Permission): boolean {
  if (scope === action) return true;
  const need = PERMISSIONS[action].scope;
  const [a, b, extra] = scope.split(':');
  if (extra !== undefined) return false;
  const scopeType = b === undefined ? undefined : a;
  const scopeLevel = b ?? a;
  if (scopeLevel === undefined || !Object.hasOwn(RANK, scopeLevel)) return false;
  if (scopeType !== undefined && scopeType !== need.type) return false;
  return RANK[scopeLevel as ScopeLevel] >= RANK[need.level];
}

const tokenScoped = (p: Principal): boolean =>
  p.authMethod === 'bearer_jwt' || p.authMethod === 'dpop_jwt' || p.scopes.length > 0;

export function authorize(principal: Principal, action: Action, resource: Resource): Decision {
  if (!isPermission(action)) return { allowed: false, reason: `unknown action ${action}`, required: action };
  const need = PERMISSIONS[action].scope;
  const scopeName = `${need.type}:${need.level}`;
  if (resource.orgId !== principal.orgId) {
    return { allowed: false, reason: 'resource belongs to another org', required: action };
  }
  switch (principal.kind) {
    case 'api_key':
      if (principal.scopes.some((s) => scopeGrants(s, action))) return { allowed: true };
      return {
        allowed: false,
        reason: `this key lacks the scope ${scopeName} (or ${need.level})`,
        required: scopeName,
      };
    case 'user':
    case 'client': {
      if (principal.permissions === undefined) {
        return { allowed: false, reason: 'permissions were not resolved', required: action };
      }
      if (!principal.permissions.includes(action)) {
        return {
          allowed: false,
          reason: `none of your roles grants the permission ${action}`,
          required: action,
        };
      }
      if (tokenScoped(principal) && !principal.scopes.some((s) => scopeGrants(s, action))) {
        return {
          allowed: false,
          reason: `the access token lacks the scope ${scopeName} (or ${need.level}, or ${action})`,
          required: action,
        };
      }
      return { allowed: true };
    }
    default:
      return { allowed: false, reason: 'unknown kind of caller', required: action };
  }
}

/** Route guard: throws the 403 problem naming the required permission. */
export function assertAllowed(principal: Principal, action: Action, resource: Resource): void {
  const d = authorize(principal, action, resource);
  if (!d.allowed) throw new AppError('forbidden', `Not allowed to ${action}: ${d.reason}.`);
}
