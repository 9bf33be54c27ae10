import { AppError } from '../../kernel/index.ts';
import type { Action, Authorizer, Decision, Obligations, Resource } from '../authz/index.ts';
import {
  ALL_PERMISSIONS,
  isPermission,
  PERMISSIONS,
  type Permission,
  type ScopeLevel,
} from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import type { DecisionLog, Pdp } from './pdp.ts';
import type { PolicySetHandle } from './policy-set.ts';
import type { ServerFilter } from './server-filter.ts';

/**
 * The one authorization seam, per request (ADR 0029): `authz.decide(action, resource)`, decided by Cedar on the
 * org's policy set (pdp.ts) and fail closed: an unknown action, a request without a policy set, a request the
 * schema refuses or any evaluation error is a deny.
 *
 * - Roles' permissions are policies (`role/<name>`), inheritance is entity membership.
 * - API keys are governed by their scopes (`read` < `write` < `admin`, optionally narrowed as `servers:write`):
 *   whether a scope grants the action is a fact the request carries (`context.scopeGranted`).
 * - A token-scoped caller (access token, or a principal carrying scopes) never does more than its scopes
 *   grant, whatever its roles permit (`system/token-scopes`).
 * - Nothing is allowed on another org's resources (`system/tenancy`); orgs add their own policies.
 *
 * The authorizer holds what used to ride on the principal: the org's policy set, the request's time and
 * address, its decision log and the caller's rate-class throttle. It is built once per request by the auth
 * hook (or explicitly by the policy module for callers that are not requests).
 */
export interface ThrottleAnswer {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
}

export interface AuthorizerFacts {
  /** The org's compiled set; without it (or with another org's) every decision is a deny. */
  readonly set: PolicySetHandle | undefined;
  /** When the request is decided (policies see the local time of the org) and from where. */
  readonly at: Date;
  readonly ip?: string | undefined;
  readonly log?: DecisionLog | undefined;
  /** Spends one request of a rate class a policy obligation holds this caller to (`@obligation_throttle`). */
  readonly throttle?: ((rateClass: string) => ThrottleAnswer) | undefined;
}

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

export const tokenScoped = (p: Principal): boolean =>
  p.kind !== 'api_key' &&
  (p.authMethod === 'bearer_jwt' || p.authMethod === 'dpop_jwt' || p.scopes.length > 0);

/** The words people read when a decision is a deny: which policy said no, or what nothing granted. */
function denial(
  p: Principal,
  action: Permission,
  reasons: readonly string[],
  texts: readonly string[],
): string {
  const need = PERMISSIONS[action].scope;
  const scopeName = `${need.type}:${need.level}`;
  if (reasons.includes('system/tenancy')) return 'resource belongs to another org';
  if (reasons.includes('system/token-scopes')) {
    return `the access token lacks the scope ${scopeName} (or ${need.level}, or ${action})`;
  }
  if (reasons.length > 0) {
    return texts.length > 0 ? texts.join('; ') : `denied by the policy ${reasons.join(', ')}`;
  }
  if (p.kind === 'api_key') return `this key lacks the scope ${scopeName} (or ${need.level})`;
  return `none of your roles grants the permission ${action}`;
}

const requiredOf = (p: Principal, action: Permission): string => {
  const need = PERMISSIONS[action].scope;
  return p.kind === 'api_key' ? `${need.type}:${need.level}` : action;
};

const inProduction = (r: Resource): boolean => r.server?.environment === 'production';

/** The bearer credentials whose own scopes bound what they may do: API keys and access tokens. */
const scopeBound = (p: Principal): boolean =>
  (p.kind === 'api_key' && p.authMethod === 'api_key') ||
  p.authMethod === 'bearer_jwt' ||
  p.authMethod === 'dpop_jwt';

/**
 * RFC 6750 §3.1: a request refused because the credential's scopes do not cover it says so in the challenge,
 * with the scope that would (`<type>:<level>`, a word both API keys and access tokens accept, docs/scopes.md),
 * so a client can ask for a token with more scope. Refusals for any other reason (roles, org policies,
 * tenancy) carry no challenge: a new token would not help. DPoP-bound tokens are challenged with DPoP (RFC 9449
 * §7.1).
 */
function insufficientScope(p: Principal, action: Action): Record<string, string> {
  if (!scopeBound(p) || !isPermission(action) || p.scopes.some((s) => scopeGrants(s, action))) return {};
  const need = PERMISSIONS[action].scope;
  const scheme = p.authMethod === 'dpop_jwt' ? 'DPoP' : 'Bearer';
  return {
    'www-authenticate': `${scheme} error="insufficient_scope", error_description="The credential lacks a scope for this request", scope="${need.type}:${need.level}"`,
  };
}

export class RequestAuthorizer implements Authorizer {
  readonly principal: Principal;
  readonly facts: AuthorizerFacts;
  readonly #pdp: Pdp;
  readonly #filter: ServerFilter;
  /** The PDP's answer to `servers:production` on the org, asked at most once per authorizer. */
  #production: boolean | undefined;

  constructor(principal: Principal, facts: AuthorizerFacts, pdp: Pdp, filter: ServerFilter) {
    this.principal = principal;
    this.facts = facts;
    this.#pdp = pdp;
    this.#filter = filter;
  }

  /**
   * Whether the caller may reach production servers: the PDP's own decision on `servers:production` for the
   * org (roles, key and token scopes, org policies), asked once per request and handed to every decision on a
   * production resource as `context.productionAccess` (system/production, ADR 0020).
   */
  productionAccess(): boolean {
    if (this.#production === undefined) {
      this.#production = this.decide('servers:production', {
        type: 'org',
        orgId: this.principal.orgId,
      }).allowed;
    }
    return this.#production;
  }

  decide(action: Action, resource: Resource): Decision {
    const principal = this.principal;
    const known = isPermission(action);
    const out = this.#pdp.decide(
      {
        principal,
        action,
        resource,
        at: this.facts.at,
        ip: this.facts.ip,
        scopeGranted: known && principal.scopes.some((s) => scopeGrants(s, action)),
        tokenScoped: tokenScoped(principal),
        ...(inProduction(resource) ? { productionAccess: this.productionAccess() } : {}),
      },
      this.facts.set,
      this.facts.log,
    );
    if (out.allowed && known) {
      return { allowed: true, decisionId: out.id, obligations: out.obligations, reasons: out.reasons };
    }
    const base = { allowed: false as const, decisionId: out.id, reasons: out.reasons };
    if (!known) return { ...base, reason: `unknown action ${action}`, required: action };
    if (out.errors.length > 0) {
      return {
        ...base,
        reason: `the policy decision point could not decide (${out.errors.join('; ')}), so access is denied`,
        required: action,
      };
    }
    return {
      ...base,
      reason: denial(principal, action, out.reasons, out.reasonTexts),
      required: requiredOf(principal, action),
    };
  }

  /**
   * Applies a throttle obligation of an allowed decision: the request spends one of the rate class the policy
   * holds the caller to (shared by all processes), or is refused with 429 and Retry-After. Guards call it;
   * plain `decide()` questions (what could this caller do?) spend nothing.
   */
  applyThrottle(action: Action, d: Extract<Decision, { allowed: true }>): void {
    const o: Obligations = d.obligations;
    if (o.throttle === undefined) return;
    const a = this.facts.throttle?.(o.throttle);
    if (a === undefined || a.allowed) return;
    throw new AppError(
      'rate_limited',
      `A policy holds you to the "${o.throttle}" rate class for ${action}; try again in ${a.retryAfterSeconds} s.`,
      {
        headers: { 'retry-after': String(a.retryAfterSeconds) },
        extensions: { decisionId: d.decisionId, rateClass: o.throttle },
      },
    );
  }

  assert(action: Action, resource: Resource): Obligations {
    const d = this.decide(action, resource);
    if (!d.allowed) {
      throw new AppError('forbidden', `Not allowed to ${action}: ${d.reason}.`, {
        extensions: { decisionId: d.decisionId, required: d.required },
        headers: insufficientScope(this.principal, action),
      });
    }
    this.applyThrottle(action, d);
    return d.obligations;
  }

  /**
   * No escalation rests on this: the permissions a caller holds are exactly the actions `decide()` allows it
   * in its own org (roles, narrowed by token scopes; or an API key's scopes).
   */
  held(): Permission[] {
    const org = { type: 'org', orgId: this.principal.orgId } as const;
    return ALL_PERMISSIONS.filter((p) => this.decide(p, org).allowed);
  }

  about(candidate: Principal): RequestAuthorizer {
    return new RequestAuthorizer(candidate, { ...this.facts, log: undefined }, this.#pdp, this.#filter);
  }

  visibleServers(action: Action) {
    const scope = this.#filter.scope(this, action);
    if (scope.mode === 'denied') {
      throw new AppError('forbidden', `Not allowed to ${action}: ${scope.reason}.`, {
        extensions: { decisionId: scope.decisionId, required: action },
      });
    }
    return scope;
  }
}
