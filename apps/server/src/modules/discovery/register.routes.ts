import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreatedServerSchema, CreateServerBody, problemResponses } from '@sprintconnect/contracts';
import { actorOf } from '../identity/index.ts';
import type { DiscoveryService } from './discovery.service.ts';

/** `POST /v1/servers`: register and discover (story 2.1); the registry owns the other `/v1/servers` routes. */
export function registerRoutes(discovery: DiscoveryService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/servers',
      {
        schema: {
          tags: ['servers'],
          summary: 'Register an MCP server',
          description:
            'Saves the server as `pending_discovery` and, unless `autoDiscover` is false, queues a discovery job. ' +
            'Credentials are encrypted at rest and never returned.',
          body: CreateServerBody,
          response: { 201: CreatedServerSchema, ...problemResponses(401, 403, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        req.authz.assert('servers:create', { type: 'org', orgId: req.principal.orgId });
        const { server, discoveryJob } = await discovery.registerAndDiscover(
          actorOf(req.principal, String(req.id)),
          req.body,
        );
        return reply
          .status(201)
          .header('location', server.links.self)
          .send({ ...server, discoveryJob });
      },
    );
  };
}
