import { type ListServersFilter, ListServersQuery, ServerPageSchema } from '@sprintconnect/contracts';
import type { McpTool } from '../authz/index.ts';
import { actorOf } from '../identity/index.ts';
import { redactServer } from './redaction.ts';
import type { RegistryService } from './registry.service.ts';

/**
 * `GET /v1/servers` as a platform tool of the MCP gateway (issue 11 point 7, ADR 0045): the same arguments (its
 * query schema), guard, policy listing scope, redaction obligations and service.
 */
export function registryTools(registry: RegistryService): McpTool[] {
  return [
    {
      name: 'list_servers',
      title: 'List MCP servers',
      description:
        "Your organization's registered MCP servers you may see, newest first, with their discovery status " +
        '(`status`, `currentVersion`, `lastDiscoveredAt`, `lastError`). Filter by `environment`, `tags` ' +
        '(comma-separated), `status` or text `q`; page with `cursor`.',
      inputSchema: ListServersQuery,
      outputSchema: ServerPageSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      action: 'servers:list',
      async handler({ principal, authz, requestId }, args) {
        const obligations = authz.assert('servers:list', { type: 'org', orgId: principal.orgId });
        const scope = authz.visibleServers('servers:list');
        const page = await registry.list(actorOf(principal, requestId), args as ListServersFilter, scope);
        return { ...page, items: page.items.map((v) => redactServer(v, obligations)) };
      },
    },
  ];
}
