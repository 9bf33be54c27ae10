import { randomUUID } from 'node:crypto';
import type { CapabilityFacts, ServerFacts, VisibleServers } from '../authz/index.ts';
import { isPermission, type Permission } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import type { AuthorizerFacts } from './authorizer.ts';
import { scopeGrants, tokenScoped } from './authorizer.ts';
import type { DecideInput, Pdp } from './pdp.ts';
import type { PolicySetHandle } from './policy-set.ts';
import { holds, type Translation, translateResiduals } from './residual-filter.ts';

/**
 * Which servers a caller may see for a listing action (`servers:list`, `search:query`), decided by the PDP
 * once per request rather than once per row (ADR 0020):
 *
 * - `query`: Cedar's residual (resource unknown) translated into pure conditions the registry and search
 *   compile over their own columns;
 * - `batch`: the residual has parts a query cannot say; the module fetches candidates and the decider judges
 *   each (the PDP for the untranslatable parts, decisions cached per principal, policy-set version and the
 *   resource's attributes);
 * - `denied`: the PDP cannot answer (no policy set, an engine failure): nothing may be returned.
 *
 * A server is shown when the action is allowed on it; a capability of it is withheld when the action is not
 * allowed on the capability (ADR 0036).
 */
export type ServerScope =
  | { readonly mode: 'denied'; readonly decisionId: string; readonly reason: string }
  | VisibleServers;

/** What the filter asks of the request's authorizer: who, the request's facts, and its production answer. */
export interface FilterCaller {
  readonly principal: Principal;
  readonly facts: AuthorizerFacts;
  productionAccess(): boolean;
}

export interface FilterStats {
  readonly residuals: number;
  readonly residualHits: number;
  readonly decisions: number;
  readonly decisionHits: number;
}

export interface ServerFilter {
  scope(caller: FilterCaller, action: Permission): ServerScope;
  /** Counters for tests and the bench: residuals computed, PDP decisions made for candidates, and cache hits. */
  stats(): FilterStats;
}

const RESIDUAL_CACHE_MAX = 5_000;
const DECISION_CACHE_MAX = 50_000;

function remember<V>(cache: Map<string, V>, max: number, key: string, v: V): V {
  if (cache.size >= max) cache.delete(cache.keys().next().value as string);
  cache.set(key, v);
  return v;
}

/** Everything a residual depends on besides the resource: who, what, how, from where, and when if it matters. */
function scopeKey(
  p: Principal,
  facts: AuthorizerFacts,
  action: Permission,
  set: PolicySetHandle,
  production: boolean,
  timed: boolean,
): string {
  const minute = timed ? Math.floor(facts.at.getTime() / 60_000) : 0;
  return JSON.stringify([
    set.setId,
    action,
    p.kind,
    p.id,
    p.kind === 'user' ? (p.email ?? '') : '',
    p.authMethod,
    [...p.roles].sort(),
    [...p.scopes].sort(),
    facts.ip ?? null,
    production,
    minute,
  ]);
}

/**
 * The listing filter of one PDP, built once at start (the policy module's factory): its residual and decision
 * caches, and whether each set's policies mention the time, are its own state, never module globals.
 */
export function createServerFilter(pdp: Pdp): ServerFilter {
  const residualCache = new Map<string, Translation>();
  const decisionCache = new Map<string, boolean>();
  const stats = { residuals: 0, residualHits: 0, decisions: 0, decisionHits: 0 };
  /** The org's policies mention the time of day: the residual then depends on the minute it is asked. */
  const timeSensitive = new WeakMap<PolicySetHandle, boolean>();
  function usesTime(set: PolicySetHandle): boolean {
    let uses = timeSensitive.get(set);
    if (uses === undefined) {
      uses = Object.entries(set.policies).some(
        ([id, text]) => id.startsWith('org/') && text.includes('time'),
      );
      timeSensitive.set(set, uses);
    }
    return uses;
  }
  return {
    scope: (caller, action) => serverScope(caller, action),
    stats: () => ({ ...stats }),
  };

  function serverScope(caller: FilterCaller, action: Permission): ServerScope {
    const { principal, facts } = caller;
    const started = performance.now();
    const decisionId = randomUUID();
    const set = facts.set;
    const log = (entry: Record<string, unknown>) =>
      facts.log?.({
        decisionId,
        policySetVersion: set?.version ?? null,
        principal: `${principal.kind}:${principal.id}`,
        action,
        resource: 'server:*',
        inputHash: null,
        reasons: [],
        errors: [],
        obligations: { redact: [] },
        ...entry,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      });
    const denied = (reason: string): ServerScope => {
      log({ allowed: false, mode: 'denied', errors: [reason] });
      return { mode: 'denied', decisionId, reason };
    };
    if (!isPermission(action)) return denied(`unknown action ${action}`);
    if (set === undefined || set.orgId !== principal.orgId) {
      return denied('no policy set is available for this request');
    }
    const production = caller.productionAccess();
    const flags = {
      scopeGranted: principal.scopes.some((s) => scopeGrants(s, action)),
      tokenScoped: tokenScoped(principal),
    };
    const key = scopeKey(principal, facts, action, set, production, usesTime(set));
    let t: Translation | { error: string } | undefined = residualCache.get(key);
    const cached = t !== undefined;
    if (t === undefined) {
      stats.residuals += 1;
      const { resource: _unknown, ...req } = pdp.request(
        {
          principal,
          action,
          resource: { type: 'org', orgId: principal.orgId },
          at: facts.at,
          ip: facts.ip,
          ...flags,
          productionAccess: production,
        },
        set,
      );
      const r = pdp.engine.residuals(set.setId, req);
      // A failure is not kept: the next request asks again (and is denied meanwhile).
      t =
        'error' in r
          ? r
          : remember(residualCache, RESIDUAL_CACHE_MAX, key, translateResiduals(r, principal.orgId));
    } else {
      stats.residualHits += 1;
    }
    if ('error' in t) return denied(`the policy decision point could not decide (${t.error})`);
    const { server, capability } = t;
    if (server !== undefined && capability !== undefined) {
      log({ allowed: true, mode: 'query', cached, filter: { server, capability } });
      return { mode: 'query', decisionId, filter: { server, capability } };
    }

    // Batch: the untranslatable type is decided per resource by the PDP, quietly (one log line per request).
    const decideCached = (resourceKey: string, resource: DecideInput['resource']) => {
      const k = `${key}|${resourceKey}`;
      const hit = decisionCache.get(k);
      if (hit !== undefined) {
        stats.decisionHits += 1;
        return hit;
      }
      stats.decisions += 1;
      const inProd = resource.server?.environment === 'production';
      const out = pdp.decide(
        {
          principal,
          action,
          resource,
          at: facts.at,
          ip: facts.ip,
          ...flags,
          ...(inProd ? { productionAccess: production } : {}),
        },
        set,
      );
      return remember(decisionCache, DECISION_CACHE_MAX, k, out.allowed);
    };
    const attrs = (s: ServerFacts) => ({ name: s.name, environment: s.environment, tags: s.tags });
    const serverAllowed = (s: ServerFacts): boolean =>
      server !== undefined
        ? holds(server, s)
        : decideCached(JSON.stringify(['s', s.id, s.name, s.environment, s.tags]), {
            type: 'server',
            orgId: principal.orgId,
            id: s.id,
            server: attrs(s),
          });
    const capabilityAllowed = (s: ServerFacts, c: CapabilityFacts): boolean =>
      capability !== undefined
        ? holds(capability, s, c)
        : decideCached(JSON.stringify(['c', s.id, s.name, s.environment, s.tags, c.kind, c.name]), {
            type: 'capability',
            orgId: principal.orgId,
            id: `${s.id}/${c.kind}/${c.name}`,
            server: attrs(s),
            capability: { serverId: s.id, kind: c.kind, name: c.name },
          });
    const withholds = !(capability?.op === 'const' && capability.value);
    log({ allowed: true, mode: 'batch', cached, why: t.why, filter: { server, capability } });
    return {
      mode: 'batch',
      decisionId,
      withholds,
      showsServer: serverAllowed,
      showsCapability: capabilityAllowed,
    };
  }
}
