import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { DiscoveryModule } from '../discovery/index.ts';
import type { RegistryModule } from '../registry/index.ts';
import { virtualServerRoutes } from './virtual-servers.routes.ts';
import { createVirtualServersService, type VirtualServersService } from './virtual-servers.service.ts';

export interface VirtualServersModule {
  readonly name: 'virtual-servers';
  /** CRUD for `/v1/virtual-servers`, and `resolve(orgId, slug)` for the gateway's `/mcp/{slug}`. */
  readonly service: VirtualServersService;
  readonly routes: readonly FastifyPluginAsync[];
}

/**
 * Virtual servers (issue 11 point 2, ADR 0041): MCP endpoints composed of registered servers' tools. Reads
 * servers and their capability versions only through the registry's door.
 */
export function createVirtualServersModule(
  deps: Pick<Platform, 'db' | 'clock'> & { registry: RegistryModule; discovery: DiscoveryModule },
): VirtualServersModule {
  const service = createVirtualServersService({
    db: deps.db,
    clock: deps.clock,
    registry: deps.registry.service,
  });
  // Rug-pull protection (ADR 0044): each new capability version is checked against pinned tools in the
  // transaction that stores it, so a drift is announced exactly when it is recorded.
  deps.discovery.observeCapabilities(service.observeCapabilities);
  return { name: 'virtual-servers', service, routes: [virtualServerRoutes(service)] };
}
