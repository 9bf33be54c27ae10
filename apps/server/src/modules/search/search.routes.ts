import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses, SearchQuery, SearchResultSchema } from '@sprintconnect/contracts';
import type { FastifySchemaValidationError } from 'fastify';
import { actorOf } from '../identity/index.ts';
import type { SearchService } from './search.service.ts';

// Ajv reports a failed pattern as `must match pattern "^\s*[^,\s]..."`; say what is wrong instead.
const PATTERN_DETAIL: Record<string, string> = {
  '/capability': 'must be 1 to 10 comma-separated terms, none of them empty (e.g. `weather,calendar`)',
  '/tags': 'must be comma-separated tags of letters, digits, `.`, `_` or `-`, none of them empty',
};

function explainPatterns(errors: FastifySchemaValidationError[]): Error {
  for (const e of errors) {
    const detail = e.keyword === 'pattern' ? PATTERN_DETAIL[e.instancePath] : undefined;
    if (detail !== undefined) e.message = detail;
  }
  return new Error('The query string is invalid.');
}

export function searchRoutes(search: SearchService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The path is spelled out, as on every route, so the route table reads from the source (the CLI's
    // route-coverage test does); search-suggestion.ts builds links to the same path.
    app.get(
      '/v1/discovery/servers',
      {
        schema: {
          tags: ['discovery'],
          summary: 'Find servers by capability',
          description:
            'Servers of your organization that have a capability matching every term, best match first, ' +
            'with the matching capabilities (each once), their definitions and versions, a page at a time ' +
            '(`nextCursor`). An empty result still echoes the search performed, and suggests the same search ' +
            'with `fuzzy` when that one finds something (`suggestion`). Only servers your policies let you see are searched (production needs ' +
            '`servers:production`); the `sc-policy-filter` header says whether your policy became part of the ' +
            'query (`query`) or was decided per candidate (`batch`).',
          querystring: SearchQuery,
          response: { 200: SearchResultSchema, ...problemResponses(401, 403, 422) },
        },
        schemaErrorFormatter: explainPatterns,
      },
      async (req, reply) => {
        req.authz.assert('search:query', { type: 'org', orgId: req.principal.orgId });
        // Only servers the caller may see (ADR 0020); 403 when the policy decision point cannot answer.
        const scope = req.authz.visibleServers('search:query');
        reply.header('sc-policy-filter', scope.mode);
        return search.search(actorOf(req.principal, String(req.id)), req.query, scope);
      },
    );
  };
}
