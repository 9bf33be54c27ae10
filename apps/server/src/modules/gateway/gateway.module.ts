import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ApiKeysModule } from '../api-keys/index.ts';
import type { McpTool } from '../authz/index.ts';
import type { EgressPolicyModule } from '../egress-policy/index.ts';
import type { OAuthModule } from '../oauth/index.ts';
import type { PolicyModule } from '../policy/index.ts';
import type { QuotasModule } from '../quotas/index.ts';
import type { RbacModule } from '../rbac/index.ts';
import type { RegistryModule } from '../registry/index.ts';
import type { VirtualServersModule } from '../virtual-servers/index.ts';
import { createCallAudit } from './call-audit.ts';
import { createCallAdmission } from './call-limits.ts';
import { createCatalogueCache } from './catalogue.ts';
import { createChangeFeed } from './change-feed.ts';
import {
  type BreakerOptions,
  createCircuitBreakers,
  DEFAULT_BREAKER,
  withCircuitBreakers,
} from './circuit-breaker.ts';
import { createDispatcher } from './dispatch.ts';
import { createEndpointCatalogues } from './endpoint-catalogue.ts';
import type { GatewayUsage } from './gateway-call.ts';
import { SERVER_INFO } from './handshake.ts';
import { createInflightCalls } from './inflight-calls.ts';
import { mcpRoutes } from './mcp.routes.ts';
import { createMcpAuth } from './mcp-auth.ts';
import { createNotifyStreams } from './notify-streams.ts';
import { createPlatformTools } from './platform-tools.ts';
import { withLeanRequest } from './upstream-post.ts';
import { createUpstreams, type UpstreamLimits } from './upstreams.ts';

export interface GatewayOptions {
  /** How long an org's catalogue (servers and their current capability versions) is reused. Default 1 s. */
  readonly catalogueTtlMs?: number;
  readonly upstream?: Partial<UpstreamLimits>;
  /** The per-upstream circuit breaker (ADR 0048): 5 failures within 30 s open it for 30 s by default. */
  readonly breaker?: Partial<BreakerOptions>;
  /** Tests only: sees each call's record instead of the usage module. */
  readonly usage?: GatewayUsage;
}

export interface GatewayModule {
  readonly name: 'gateway';
  /** `/mcp` and `/mcp/{slug}` (outside /v1: it authenticates its own callers, as an OAuth resource server for `PUBLIC_URL/mcp`). */
  readonly publicRoutes: readonly FastifyPluginAsync[];
  close?(): Promise<void>;
}

const DEFAULT_LIMITS: UpstreamLimits = {
  timeoutMs: 30_000,
  maxResultBytes: 8 * 1024 * 1024,
  sessionsPerServer: 2,
  connectionTtlMs: 5_000,
};

/**
 * The MCP gateway (issue 11, ADR 0040): the org's default endpoint `/mcp` over every registered server's
 * current capabilities, decided by the PDP per call, proxied through egress with each server's own credentials.
 */
export function createGatewayModule(
  deps: Pick<Platform, 'db' | 'clock' | 'roles' | 'log' | 'listenUrl'> & {
    config: Pick<Config, 'publicUrl'>;
    rbac: RbacModule;
    apiKeys: ApiKeysModule;
    oauth: OAuthModule;
    egressPolicy: EgressPolicyModule;
    registry: RegistryModule;
    policy: PolicyModule;
    /** Virtual servers served at `/mcp/{slug}` (ADR 0041); without it only `/mcp` is served. */
    virtualServers?: Pick<VirtualServersModule, 'service'> | undefined;
    /** The org's rate limit and monthly budget, admitted per call (point 8). */
    quotas: Pick<QuotasModule, 'hooks'>;
    /** Where each call is reported (the usage module, when built); optional. */
    usage?: GatewayUsage | undefined;
    /** The modules' platform tools (their factories' `mcpTools`), offered on `/mcp` (ADR 0045). */
    platformTools?: readonly McpTool[] | undefined;
    options?: { gateway?: GatewayOptions | undefined } | undefined;
  },
): GatewayModule {
  if (!deps.roles.api) return { name: 'gateway', publicRoutes: [] };
  const { publicUrl } = deps.config;
  const o = deps.options?.gateway ?? {};
  const limits: UpstreamLimits = { ...DEFAULT_LIMITS, ...o.upstream };
  const ttlMs = o.catalogueTtlMs ?? 1_000;
  const catalogue = createCatalogueCache({ db: deps.db, ttlMs });
  const vs = deps.virtualServers?.service;
  const endpoints =
    vs === undefined
      ? undefined
      : createEndpointCatalogues({
          resolve: (orgId, slug) => vs.resolve(orgId, slug),
          base: (orgId) => catalogue.get(orgId),
          ttlMs,
        });
  // Every proxied call passes the server's circuit breaker first (point 6, ADR 0048).
  const breakers = createCircuitBreakers(
    { ...DEFAULT_BREAKER, ...o.breaker },
    () => deps.clock.now().getTime(),
    (serverId, state) =>
      state === 'open'
        ? deps.log.warn({ gateway: { serverId, breaker: state } }, 'upstream circuit breaker opened')
        : deps.log.info({ gateway: { serverId, breaker: state } }, 'upstream circuit breaker closed'),
  );
  // Catalogues are emptied, and callers' streams told, when a change commits in any process (ADR 0047).
  const feed = createChangeFeed({
    listenUrl: deps.listenUrl,
    follow: (l) => deps.rbac.permissions.follow(l),
    onCatalogueChanged: (orgId) => {
      catalogue.forget(orgId);
      endpoints?.forget(orgId);
    },
  });
  const streams = createNotifyStreams({ feed, serverInfo: SERVER_INFO });
  const direct = createUpstreams({
    db: deps.db,
    registry: deps.registry,
    // Proxied calls are held to the gateway's limits (the key's, the org's, its budget), not to the outbound
    // limit meant for discovery (ADR 0040, "Limits on calls").
    fetchFor: (orgId) =>
      withLeanRequest(deps.egressPolicy.proxyFetchFor(orgId), deps.egressPolicy.proxyRequestFor(orgId)),
    limits,
  });
  const upstreams = withCircuitBreakers(direct, breakers);
  const authenticate = createMcpAuth({
    // Header credentials only: API keys, then access tokens whose audience is /mcp (never /v1's).
    authenticators: [
      ...deps.apiKeys.authenticators.map((a) => a.authenticate),
      ...deps.oauth.mcpAuthenticators,
    ],
    principal: deps.rbac.hooks.principal,
    authorizer: deps.policy.hooks.authorizer,
    now: () => deps.clock.now(),
    resource: `${publicUrl}/mcp`,
    resourceMetadata: `${publicUrl}/.well-known/oauth-protected-resource/mcp`,
  });
  const usage = o.usage ?? deps.usage;
  // The same admission steps, in the same order, as the adapter runs for /v1: the key's limit, then the org's.
  const admit = createCallAdmission([deps.apiKeys.hooks.admitCaller, deps.quotas.hooks.admitOrg]);
  const audit = createCallAudit({ db: deps.db, clock: deps.clock });
  // Cancellations and answers to relayed input requests reach the process running the call (ADR 0046).
  const inflight = createInflightCalls({ db: deps.db, listenUrl: deps.listenUrl });
  const dispatch = createDispatcher({
    ...{ catalogue: (orgId: string) => catalogue.get(orgId), upstreams, usage, limits, admit, audit },
    platform: createPlatformTools({
      ...{ tools: deps.platformTools ?? [], admit, usage, audit },
      logError: (details, message) => deps.log.error(details, message),
    }),
  });
  return {
    name: 'gateway',
    async close() {
      streams.closeAll();
      direct.close?.();
      await Promise.all([feed.close(), inflight.close()]);
    },
    publicRoutes: [
      mcpRoutes({
        publicUrl,
        authenticate,
        dispatch,
        endpoint: endpoints === undefined ? undefined : (orgId, slug) => endpoints.get(orgId, slug),
        inflight,
        inputTimeoutMs: limits.timeoutMs,
        streams,
      }),
    ],
  };
}
