import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdParams,
  type ListServersFilter,
  ListServersQuery,
  problemResponses,
  ServerPageSchema,
  ServerSchema,
  UpdateServerBody,
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
          response: { 200: ServerSchema, ...problemResponses(401, 403, 404, 422) },
        },
      },
      async (req) => {
        const { view, obligations } = await registry.read(req.authz, req.params.id);
        return redactServer(view, obligations);
      },
    );

    app.patch(
      '/v1/servers/:id',
      {
        schema: {
          tags,
          summary: 'Update a server',
          params: IdParams,
          body: UpdateServerBody,
          response: { 200: ServerSchema, ...problemResponses(401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req) => {
        await registry.authorizeServer(req.authz, 'servers:update', req.params.id);
        return registry.update(actorOf(req.principal, String(req.id)), req.params.id, req.body);
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
            ...problemResponses(401, 403, 404, 422),
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
