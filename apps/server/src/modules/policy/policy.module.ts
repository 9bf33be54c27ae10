import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { ApiKeysModule } from '../api-keys/index.ts';
import type { Authorizer } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { INVOCATION_CLASSES, type QuotasModule } from '../quotas/index.ts';
import type { RbacModule } from '../rbac/index.ts';
import { REDACTABLE_SERVER_FIELDS, type RegistryModule } from '../registry/index.ts';
import { createDecisionPoint, type DecisionPoint } from './decision-point.ts';
import { createOrgPoliciesService, type OrgPoliciesService } from './org-policies.service.ts';
import type { DecisionLog } from './pdp.ts';
import { policyRoutes } from './policies.routes.ts';
import type { CompileResult } from './policy-set.ts';
import { createPolicySetCache } from './policy-set-cache.ts';

/** What the auth hook knows of a request when it asks for its authorizer. */
export interface RequestFacts {
  readonly at: Date;
  readonly ip?: string | undefined;
  readonly log?: DecisionLog | undefined;
}

export interface PolicyModule {
  readonly name: 'policy';
  readonly decisions: DecisionPoint;
  readonly orgPolicies: OrgPoliciesService;
  /** The org's compiled policy set (cached, invalidated with the org's roles; problems mean deny). */
  policySet(orgId: string): Promise<CompileResult>;
  /**
   * An authorizer for a caller that is not a request (a job, bootstrap, a test's system actor): on the org's
   * current set, decided now unless `facts.at` says when.
   */
  authorizerFor(principal: Principal, facts?: Partial<RequestFacts>): Promise<Authorizer>;
  /** `/v1/policies`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** The auth hook's authorizer for each request: the org's set, the request's log and the caller's throttle. */
  readonly hooks: { readonly authorizer: (p: Principal, request: RequestFacts) => Promise<Authorizer> };
}

/**
 * The policy decision point and the org policies it decides on (issue 4, ADR 0013, ADR 0029): implements the
 * authz contract. Sits above the modules whose facts it decides on (rbac's roles, quotas' rate classes, the
 * registry's servers, API keys' scopes), none of which imports it.
 */
export function createPolicyModule(
  deps: Pick<Platform, 'db' | 'clock'> & {
    rbac: RbacModule;
    /** The rate classes obligations hold callers to (docs/rate-limits.md). */
    quotas: QuotasModule;
    /** The server fields the API can redact; servers' attributes for dry runs. */
    registry: RegistryModule;
    /** API keys' scopes for dry runs. */
    apiKeys: ApiKeysModule;
  },
): PolicyModule {
  const { db, clock } = deps;
  // Org policies (issue 4): obligations may name only what the API applies (redactable server fields) and the
  // invocation classes of docs/rate-limits.md.
  const vocabulary = {
    redactable: REDACTABLE_SERVER_FIELDS,
    throttleClasses: Object.keys(INVOCATION_CLASSES),
  };
  const decisions = createDecisionPoint();
  const sets = createPolicySetCache(db, decisions.pdp.engine);
  // Role and policy changes drop the org's set exactly when they drop its cached permissions.
  deps.rbac.permissions.follow(sets);
  const orgPolicies = createOrgPoliciesService({
    db,
    clock,
    engine: decisions.pdp.engine,
    vocabulary,
    onChanged: deps.rbac.permissions.invalidate,
  });
  const authorizer = async (p: Principal, request: RequestFacts, throttled: boolean) => {
    const set = await sets.get(p.orgId);
    return decisions.authorizer(p, {
      set: set.ok ? set.handle : undefined,
      at: request.at,
      ip: request.ip,
      log: request.log,
      ...(throttled ? { throttle: (rateClass: string) => deps.quotas.throttle(p, rateClass) } : {}),
    });
  };
  return {
    name: 'policy',
    decisions,
    orgPolicies,
    policySet: (orgId) => sets.get(orgId),
    authorizerFor: (p, facts = {}) => authorizer(p, { at: clock.now(), ...facts }, false),
    routes: [
      policyRoutes(orgPolicies, {
        db,
        pdp: decisions.pdp,
        vocabulary,
        resolve: deps.rbac.permissions.resolve,
        apiKeyScopes: async (p, id) => (await deps.apiKeys.management.get(p, id)).scopes,
        serverAttributes: async (p, id) => {
          const s = await deps.registry.service.serverFacts(p.orgId, id);
          return { name: s.name, environment: s.environment, tags: s.tags };
        },
      }),
    ],
    hooks: { authorizer: (p, request) => authorizer(p, request, true) },
  };
}
