import type { FastifyPluginAsync } from 'fastify';
import type { JobKind } from '../../platform/jobs/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { McpTool } from '../authz/index.ts';
import type { EgressPolicyModule } from '../egress-policy/index.ts';
import type { QuotasModule } from '../quotas/index.ts';
import type { RegistryModule, ServerConnection } from '../registry/index.ts';
import type { SearchModule } from '../search/index.ts';
import { type CapabilitiesService, createCapabilitiesService } from './capabilities.service.ts';
import { discoveryRoutes } from './discovery.routes.ts';
import { createDiscoveryService, type DiscoveryService } from './discovery.service.ts';
import { discoveryTools } from './discovery.tools.ts';
import { discoveryJobKind } from './discovery-job.ts';
import type { CapabilityObserver } from './discovery-store.ts';
import type { DiscoveryTimeouts } from './mcp/index.ts';
import { registerRoutes } from './register.routes.ts';

export interface DiscoveryModule {
  readonly name: 'discovery';
  readonly service: DiscoveryService;
  readonly capabilities: CapabilitiesService;
  /**
   * `POST /v1/servers` (register and discover), `PATCH /v1/servers/{id}` (change and rediscover),
   * `/v1/servers/{id}/discover`, capabilities and their versions.
   */
  readonly routes: readonly FastifyPluginAsync[];
  /** Discovery jobs with their retry, deferral and timeout settings (ADR 0004, ADR 0024). */
  readonly jobKinds: readonly JobKind<ServerConnection>[];
  /** `describe_server`, `server_discovery`, `capability_diff`, `register_server` on the gateway's `/mcp` (ADR 0045). */
  readonly mcpTools: readonly McpTool[];
  /**
   * Registers a reaction to each new capability version, run in the transaction that stores it. A module
   * built later registers here (virtual servers' drift check, ADR 0044), so discovery needs no import of it.
   */
  observeCapabilities(observer: CapabilityObserver): void;
}

/** What each MCP server can do, discovered over MCP and versioned (ADR 0004). */
export function createDiscoveryModule(
  deps: Pick<Platform, 'db' | 'clock' | 'jobs' | 'log'> & {
    registry: RegistryModule;
    search: SearchModule;
    quotas: QuotasModule;
    egressPolicy: EgressPolicyModule;
    /** How long discovery waits to connect, to list, in all (defaults in mcp/discover.ts). */
    options?: { discoveryTimeouts?: Partial<DiscoveryTimeouts> | undefined } | undefined;
  },
): DiscoveryModule {
  const { db } = deps;
  const registry = deps.registry.service;
  const observers: CapabilityObserver[] = [];
  const kind = discoveryJobKind({
    registry,
    fetchFor: deps.egressPolicy.fetchFor,
    // A redirect the MCP client did not follow is judged by the same policy (issue 8 fixes, M2).
    checkUrl: deps.egressPolicy.checkUrl,
    index: deps.search.index,
    observers,
    clock: deps.clock,
    timeouts: deps.options?.discoveryTimeouts,
    // The tenant sees `unreachable` for a failure before any answer; the precise cause is logged (ADR 0027).
    logFailure: (entry) => deps.log.warn({ discovery: entry }, 'discovery attempt failed'),
  });
  const service = createDiscoveryService({
    db,
    jobs: deps.jobs,
    kind,
    registry,
    quota: deps.quotas.service.daily('discoveries_per_day'),
  });
  const capabilities = createCapabilitiesService({ db, registry });
  return {
    name: 'discovery',
    service,
    capabilities,
    routes: [
      registerRoutes(service, registry.authorizeServer),
      discoveryRoutes(service, capabilities, registry.authorizeServer),
    ],
    jobKinds: [kind],
    mcpTools: discoveryTools({ discovery: service, capabilities, registry }),
    observeCapabilities: (observer) => {
      observers.push(observer);
    },
  };
}
