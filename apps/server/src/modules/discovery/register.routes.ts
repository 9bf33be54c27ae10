import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreatedServerSchema,
  CreateServerBody,
  IdParams,
  problemResponses,
  UpdatedServerSchema,
  UpdateServerBody,
} from '@sprintconnect/contracts';
import { actorOf } from '../identity/index.ts';
import type { ServerGuard } from '../registry/index.ts';
import type { DiscoveryService } from './discovery.service.ts';

/** How the egress policies refuse a server URL (registry.errors.ts). */
const URL_REFUSALS = ['url_not_allowed', 'port_not_allowed', 'egress_denied_by_org_policy'];
/** How a signed manifest given at registration is refused (ADR 0015). */
const MANIFEST_REFUSALS = [
  'manifest_malformed',
  'manifest_alg_not_allowed',
  'manifest_header_not_allowed',
  'manifest_key_untrusted',
  'manifest_issuer_mismatch',
  'manifest_signature_invalid',
  'manifest_invalid',
  'manifest_server_mismatch',
  'manifest_required',
];

/**
 * `POST /v1/servers` (register and discover, story 2.1) and `PATCH /v1/servers/{id}` (change and, when the
 * connection changed, rediscover: issue 10 point 6). The registry owns the other `/v1/servers` routes.
 */
export function registerRoutes(
  discovery: DiscoveryService,
  /** The PDP on the server with its attributes; 404 for a server the caller may not see (ADR 0020). */
  authorizeServer: ServerGuard,
): FastifyPluginAsyncTypebox {
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
          response: {
            201: CreatedServerSchema,
            ...problemResponses(401, 403, 413, 415, {
              409: ['server_name_taken', 'quota_exceeded'],
              422: ['validation_failed', ...URL_REFUSALS, ...MANIFEST_REFUSALS],
              429: ['quota_busy'],
            }),
          },
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

    app.patch(
      '/v1/servers/:id',
      {
        schema: {
          tags: ['servers'],
          summary: 'Update a server',
          description:
            'Changes only the fields given. A new `url`, `transport` or `auth` makes the server `pending_discovery` ' +
            'and, when `autoDiscover` is on, starts a new discovery (`discoveryJob`), ending one still running ' +
            'against the old connection; other changes start none (`discoveryJob: null`).',
          params: IdParams,
          body: UpdateServerBody,
          response: {
            200: UpdatedServerSchema,
            ...problemResponses(401, 403, 413, 415, {
              404: ['server_not_found'],
              409: ['server_name_taken', 'quota_exceeded'],
              422: ['validation_failed', ...URL_REFUSALS],
              429: ['quota_busy'],
            }),
          },
        },
      },
      async (req) => {
        await authorizeServer(req.authz, 'servers:update', req.params.id);
        const { server, discoveryJob } = await discovery.updateAndRediscover(
          actorOf(req.principal, String(req.id)),
          req.params.id,
          req.body,
        );
        return { ...server, discoveryJob };
      },
    );
  };
}
