import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdParams,
  type ListServersFilter,
  ListServersQuery,
  problemResponses,
  ServerPageSchema,
  ServerSchema,
} from '@sprintconnect/contracts';
import { actorOf } from '../identity/index.ts';
import { redactServer } from './redaction.ts';
import type { RegistryService } from './registry.service.ts';

const tags = ['servers'];

export function serverRoutes(registry: RegistryService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/servers',
      {
        schema: {
          tags,
          summary: 'List servers',
          querystring: ListServersQuery,
          response: { 200: ServerPageSchema, ...problemResponses(401, 403, 422) },
        },
      },
      async (req, reply) => {
        const obligations = req.authz.assert('servers:list', {
          type: 'org',
          orgId: req.principal.orgId,
        });
        // Only servers the caller may see (ADR 0020); 403 when the policy decision point cannot answer.
        const scope = req.authz.visibleServers('servers:list');
        reply.header('sc-policy-filter', scope.mode);
        const page = await registry.list(
          actorOf(req.principal, String(req.id)),
          req.query as ListServersFilter,
          scope,
        );
        return { ...page, items: page.items.map((v) => redactServer(v, obligations)) };
      },
    );

    app.get(
      '/v1/servers/:id',
      {
        schema: {
          tags,
          summary: 'Get a server',
          params: IdParams,
          response: { 200: ServerSchema, ...problemResponses(401, 403, { 404: ['server_not_found'] }, 422) },
        },
      },
      async (req) => {
        const { view, obligations } = await registry.read(req.authz, req.params.id);
        return redactServer(view, obligations);
      },
    );

    app.delete(
      '/v1/servers/:id',
      {
        schema: {
          tags,
          summary: 'Delete a server',
          params: IdParams,
          response: {
            204: { type: 'null', description: 'Deleted' },
            ...problemResponses(401, 403, { 404: ['server_not_found'] }, 422, { 429: ['quota_busy'] }),
          },
        },
      },
      async (req, reply) => {
        await registry.authorizeServer(req.authz, 'servers:delete', req.params.id);
        await registry.remove(actorOf(req.principal, String(req.id)), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
