import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { McpTool } from '../authz/index.ts';
import { type IndexArgs, replaceServerCapabilities } from './capabilities.repo.ts';
import { searchRoutes } from './search.routes.ts';
import { createSearchService, type SearchService } from './search.service.ts';
import { searchTools } from './search.tools.ts';

export interface SearchModule {
  readonly name: 'search';
  readonly service: SearchService;
  /** In the caller's transaction: replaces a server's capabilities in the index (discovery calls it). */
  readonly index: (tx: Parameters<typeof replaceServerCapabilities>[0], args: IndexArgs) => Promise<void>;
  /** `/v1/discovery/servers`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** `find_servers` on the gateway's `/mcp` (ADR 0045). */
  readonly mcpTools: readonly McpTool[];
}

/** Finding servers by what they can do (story 3), under the caller's policies (ADR 0011, ADR 0020). */
export function createSearchModule(deps: Pick<Platform, 'db'>): SearchModule {
  const service = createSearchService({ db: deps.db });
  return {
    name: 'search',
    service,
    index: replaceServerCapabilities,
    routes: [searchRoutes(service)],
    mcpTools: searchTools(service),
  };
}
