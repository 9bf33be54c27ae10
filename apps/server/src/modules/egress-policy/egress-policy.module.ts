import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { CheckUrlResult, FetchFunction, RequestFunction } from '../../platform/egress/index.ts';
import type { Platform } from '../../platform/platform.ts';
import { egressPolicyRoutes } from './egress-policy.routes.ts';
import { createEgressPolicyService, type EgressPolicyService } from './egress-policy.service.ts';
import { createOrgEgress, type OrgEgress } from './org-egress.ts';

export interface EgressPolicyModule {
  readonly name: 'egress-policy';
  /** Egress on behalf of an org: its egress rules, outbound rate limit and metrics (ADR 0014). */
  readonly orgEgress: OrgEgress;
  readonly service: EgressPolicyService;
  /** The org's fetch: every outbound call made for an org goes through its scope. */
  fetchFor(orgId: string): FetchFunction;
  /**
   * The org's fetch for relaying a caller's MCP call (the gateway): the org's rules, not its outbound rate
   * limit, which governs what SprintConnect fetches on its own initiative (ADR 0040, point 8).
   */
  proxyFetchFor(orgId: string): FetchFunction;
  /** The same scope as `proxyFetchFor` through the lean `request` (the gateway's JSON-RPC POSTs). */
  proxyRequestFor(orgId: string): RequestFunction;
  /**
   * The one pre-flight of a URL for an org: the platform policy (addresses, ports), then the org's rules, with
   * the code of the rule that refused. Each caller reads the result for its own purpose (issue 9 point 1).
   */
  checkUrl(orgId: string, url: string): Promise<CheckUrlResult>;
  /** `/v1/egress-policy`. */
  readonly routes: readonly FastifyPluginAsync[];
  close(): Promise<void>;
}

/** Each org's outbound rules over the platform egress (ADR 0014). */
export function createEgressPolicyModule(
  deps: Pick<Platform, 'db' | 'clock' | 'egress' | 'metrics' | 'listenUrl' | 'counterPool'> & {
    config: Pick<Config, 'egressRateLimit'>;
  },
): EgressPolicyModule {
  const { db, clock } = deps;
  const orgEgress = createOrgEgress({
    db,
    egress: deps.egress,
    listenUrl: deps.listenUrl,
    counterPool: deps.counterPool,
    defaultRateLimit: deps.config.egressRateLimit,
    metrics: deps.metrics,
  });
  const service = createEgressPolicyService({
    db,
    orgEgress,
    defaultRateLimit: deps.config.egressRateLimit,
    clock,
  });
  return {
    name: 'egress-policy',
    orgEgress,
    service,
    fetchFor: (orgId) => orgEgress.forOrg(orgId).fetch,
    proxyFetchFor: (orgId) => orgEgress.forOrg(orgId, 'proxy').fetch,
    proxyRequestFor: (orgId) => orgEgress.forOrg(orgId, 'proxy').request,
    checkUrl: (orgId, url) => orgEgress.forOrg(orgId).checkUrl(url),
    routes: [egressPolicyRoutes(service)],
    close: () => orgEgress.close(),
  };
}
