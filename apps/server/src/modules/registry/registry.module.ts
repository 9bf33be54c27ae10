import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { McpTool } from '../authz/index.ts';
import type { EgressPolicyModule } from '../egress-policy/index.ts';
import type { QuotasModule } from '../quotas/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { TrustModule } from '../trust/index.ts';
import { createRegistryService, type RegistryService } from './registry.service.ts';
import { registryTools } from './registry.tools.ts';
import { countServers } from './servers.repo.ts';
import { serverRoutes } from './servers.routes.ts';

export interface RegistryModule {
  readonly name: 'registry';
  readonly service: RegistryService;
  /**
   * `/v1/servers` (list, read, delete; registering and changing are discovery's: they may queue a discovery),
   * `/v1/servers/{id}/manifest...`.
   */
  readonly routes: readonly FastifyPluginAsync[];
  /** `list_servers` on the gateway's `/mcp` (ADR 0045). */
  readonly mcpTools: readonly McpTool[];
}

/** The MCP servers an org knows (story 2), with their credentials sealed and their signed manifests. */
export function createRegistryModule(
  deps: Pick<Platform, 'db'> & {
    tenancy: TenancyModule;
    quotas: QuotasModule;
    egressPolicy: EgressPolicyModule;
    trust: TrustModule;
  },
): RegistryModule {
  const service = createRegistryService({
    db: deps.db,
    secrets: deps.tenancy.secrets,
    checkUrl: deps.egressPolicy.checkUrl,
    // The `servers` quota counts this module's rows: it hands the counter over (ADR 0025, ADR 0028).
    quota: deps.quotas.service.counted('servers', countServers),
  });
  // Signed manifests (ADR 0015) are trust's; the registry owns the servers they are about.
  const manifests = deps.trust.serverManifests({
    findServer: service.requireServerRow,
    authorizeServer: service.authorizeServer,
  });
  return {
    name: 'registry',
    service,
    routes: [serverRoutes(service), manifests.routes],
    mcpTools: registryTools(service),
  };
}
