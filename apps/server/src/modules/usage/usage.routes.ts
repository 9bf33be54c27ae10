import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  type ListUsageFilter,
  ListUsageQuery,
  problemResponses,
  UsagePageSchema,
  type UsageSummaryFilter,
  UsageSummaryQuery,
  UsageSummarySchema,
} from '@sprintconnect/contracts';
import type { UsageReader } from './usage.service.ts';

const tags = ['usage'];

const FILTERS =
  '`from` (inclusive) and `to` (exclusive) bound the time (RFC 3339); `server`, `tool`, `principal`, `outcome` ' +
  'and `endpoint` narrow to exact values; all filters combine.';

/** Issue 11 point 8: the usage records of calls through the gateway, listed and summed. */
export function usageRoutes(reader: UsageReader): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/usage',
      {
        schema: {
          tags,
          summary: 'List usage records',
          description:
            'One record per tool call through the MCP gateway (`/mcp` and virtual servers), newest first: who ' +
            'called which tool of which server, through which endpoint, how long it took, its outcome, the bytes ' +
            `each way and the policy decision. ${FILTERS} Records are written in batches within about a ` +
            'second of the call, and kept for `SPRINTCONNECT_USAGE_RETENTION_DAYS` (default 90).',
          querystring: ListUsageQuery,
          response: { 200: UsagePageSchema, ...problemResponses(401, 403, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('usage:read', { type: 'org', orgId: req.principal.orgId });
        return reader.list(req.principal.orgId, req.query as ListUsageFilter);
      },
    );

    app.get(
      '/v1/usage/summary',
      {
        schema: {
          tags,
          summary: 'Sum usage records',
          description:
            'Calls, calls per outcome, `errors` (`error` + `upstream_error` + `timeout`), `denied`, the median ' +
            'and 95th-percentile latency and the bytes each way: over every record the filter covers ' +
            '(`totals`) and, with `groupBy`, per server, tool, principal, endpoint or UTC day (`groups`, at most ' +
            `\`limit\`; \`truncated\` says more exist). ${FILTERS}`,
          querystring: UsageSummaryQuery,
          response: { 200: UsageSummarySchema, ...problemResponses(401, 403, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('usage:read', { type: 'org', orgId: req.principal.orgId });
        return reader.summary(req.principal.orgId, req.query as UsageSummaryFilter);
      },
    );
  };
}
