import { type SearchInput, SearchQuery, SearchResultSchema } from '@sprintconnect/contracts';
import type { McpTool } from '../authz/index.ts';
import { actorOf } from '../identity/index.ts';
import type { SearchService } from './search.service.ts';

/**
 * Story 3.1 as a platform tool of the MCP gateway (issue 11 point 7, ADR 0045): the search of
 * `GET /v1/discovery/servers`, with the same arguments (its query schema), the same guard and the same service.
 */
export function searchTools(search: SearchService): McpTool[] {
  return [
    {
      name: 'find_servers',
      title: 'Find servers by capability',
      description:
        'Servers of your organization that have a tool, resource or prompt matching every term of `capability` ' +
        '(comma-separated), best match first, with the matching capabilities and their definitions. Only ' +
        'servers your policies let you see are searched. Page with `cursor` (the `nextCursor` of the last page).',
      inputSchema: SearchQuery,
      outputSchema: SearchResultSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      action: 'search:query',
      async handler({ principal, authz, requestId }, args) {
        authz.assert('search:query', { type: 'org', orgId: principal.orgId });
        // Only servers the caller may see (ADR 0020), as on the route.
        const scope = authz.visibleServers('search:query');
        return search.search(actorOf(principal, requestId), args as SearchInput, scope);
      },
    },
  ];
}
