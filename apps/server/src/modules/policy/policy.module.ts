import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import type { Authorizer } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import type { RbacModule } from '../rbac/index.ts';
import type { ThrottleAnswer } from './authorizer.ts';
import { createDecisionPoint, type DecisionPoint } from './decision-point.ts';
import { createOrgPoliciesService, type OrgPoliciesService } from './org-policies.service.ts';
import type { ObligationVocabulary } from './org-policy-check.ts';
import type { DecisionLog } from './pdp.ts';
import { policyRoutes } from './policies.routes.ts';
import type { DryRunDeps } from './policy-dry-run.ts';
import type { CompileResult } from './policy-set.ts';
import { createPolicySetCache } from './policy-set-cache.ts';

/** What the auth hook knows of a request when it asks for its authorizer. */
export interface RequestFacts {
  readonly at: Date;
  readonly ip?: string | undefined;
  readonly log?: DecisionLog | undefined;
}

export interface PolicyModule {
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
export function createPolicyModule(deps: {
  db: Db;
  clock: Clock;
  rbac: Pick<RbacModule, 'permissions'>;
  /** Spends one request of a policy obligation's rate class for a caller (quotas' invocation classes). */
  throttle: (who: { orgId: string; kind: string; id: string }, rateClass: string) => ThrottleAnswer;
  /** What obligations may name: the server fields the API redacts, the invocation classes. */
  vocabulary: ObligationVocabulary;
  /** Facts a dry run needs about principals and resources named only by id. */
  describe: Pick<DryRunDeps, 'apiKeyScopes' | 'serverAttributes'>;
}): PolicyModule {
  const { db, clock } = deps;
  const decisions = createDecisionPoint();
  const sets = createPolicySetCache(db, decisions.pdp.engine);
  // Role and policy changes drop the org's set exactly when they drop its cached permissions.
  deps.rbac.permissions.follow(sets);
  const orgPolicies = createOrgPoliciesService({
    db,
    clock,
    engine: decisions.pdp.engine,
    vocabulary: deps.vocabulary,
    onChanged: deps.rbac.permissions.invalidate,
  });
  const authorizer = async (p: Principal, request: RequestFacts, throttled: boolean) => {
    const set = await sets.get(p.orgId);
    return decisions.authorizer(p, {
      set: set.ok ? set.handle : undefined,
      at: request.at,
      ip: request.ip,
      log: request.log,
      ...(throttled ? { throttle: (rateClass: string) => deps.throttle(p, rateClass) } : {}),
    });
  };
  return {
    decisions,
    orgPolicies,
    policySet: (orgId) => sets.get(orgId),
    authorizerFor: (p, facts = {}) => authorizer(p, { at: clock.now(), ...facts }, false),
    routes: [
      policyRoutes(orgPolicies, {
        db,
        pdp: decisions.pdp,
        vocabulary: deps.vocabulary,
        resolve: deps.rbac.permissions.resolve,
        ...deps.describe,
      }),
    ],
    hooks: { authorizer: (p, request) => authorizer(p, request, true) },
  };
}
