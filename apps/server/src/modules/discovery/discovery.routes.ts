import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CapabilityDiffSchema,
  CapabilityVersionSchema,
  DiffQuery,
  DiscoverBody,
  IdParams,
  JobSchema,
  PageQuery,
  problemResponses,
} from '@sprintconnect/contracts';
import { AppError } from '../../kernel/index.ts';
import { actorOf } from '../identity/index.ts';
import type { ServerGuard } from '../registry/index.ts';
import type { CapabilitiesService } from './capabilities.service.ts';
import {
  capabilityJudge,
  countsWithoutRestricted,
  diffWithoutRestricted,
  withholdRestricted,
} from './capability-visibility.ts';
import type { DiscoveryService } from './discovery.service.ts';

const tags = ['discovery'];

export function discoveryRoutes(
  discovery: DiscoveryService,
  capabilities: CapabilitiesService,
  /** The PDP on the server with its attributes; 404 for a server the caller may not see (ADR 0020). */
  authorizeServer: ServerGuard,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/servers/:id/discover',
      {
        schema: {
          tags,
          summary: 'Discover capabilities now',
          description:
            'Queues a discovery job, or returns the one already queued or running for this server (one at a time). ' +
            'With `force`, the search index is rebuilt from live data even when nothing changed.',
          params: IdParams,
          body: Type.Union([DiscoverBody, Type.Null()], {
            description: 'optional; an empty body means { force: false }',
          }),
          response: {
            202: JobSchema,
            ...problemResponses(401, 403, 415, 422, {
              404: ['server_not_found'],
              409: ['quota_exceeded'],
              429: ['quota_busy'],
            }),
          },
        },
      },
      async (req, reply) => {
        await authorizeServer(req.authz, 'servers:discover', req.params.id);
        const job = await discovery.requestNow(actorOf(req.principal, String(req.id)), req.params.id, {
          force: req.body?.force ?? false,
        });
        return reply.status(202).header('location', job.links.self).send(job);
      },
    );

    app.get(
      '/v1/servers/:id/capabilities',
      {
        schema: {
          tags,
          summary: 'Current capabilities',
          params: IdParams,
          response: {
            200: CapabilityVersionSchema,
            ...problemResponses(401, 403, { 404: ['server_not_found', 'capability_version_not_found'] }, 422),
          },
        },
      },
      async (req) => {
        const { server } = await authorizeServer(req.authz, 'servers:read', req.params.id);
        return withholdRestricted(
          capabilityJudge(req.authz, req.params.id, server),
          await capabilities.current(actorOf(req.principal, String(req.id)), req.params.id),
        );
      },
    );

    app.get(
      '/v1/servers/:id/capabilities/versions',
      {
        schema: {
          tags,
          summary: 'Capability versions, newest first',
          params: IdParams,
          querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              items: Type.Array(CapabilityVersionSchema),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...problemResponses(401, 403, { 404: ['server_not_found'] }, 422),
          },
        },
      },
      async (req) => {
        const { server } = await authorizeServer(req.authz, 'servers:read', req.params.id);
        const judge = capabilityJudge(req.authz, req.params.id, server);
        const page = await capabilities.versions(
          actorOf(req.principal, String(req.id)),
          req.params.id,
          req.query.limit ?? 50,
          req.query.cursor,
          judge.withholds,
        );
        // Each version counts only what the caller may see, and says how many it withholds (ADR 0036).
        return {
          ...page,
          items: page.items.map(({ names, ...v }) => countsWithoutRestricted(judge, v, names)),
        };
      },
    );

    app.get(
      '/v1/servers/:id/capabilities/diff',
      {
        schema: {
          tags,
          summary: 'Difference between two capability versions',
          params: IdParams,
          querystring: DiffQuery,
          response: {
            200: CapabilityDiffSchema,
            ...problemResponses(401, 403, { 404: ['server_not_found', 'capability_version_not_found'] }, 422),
          },
        },
      },
      async (req) => {
        const { server } = await authorizeServer(req.authz, 'servers:read', req.params.id);
        if (req.query.from === req.query.to) {
          throw new AppError('validation_failed', 'Pick two different versions.', {
            errors: [{ pointer: '/to', detail: 'must differ from from' }],
          });
        }
        return diffWithoutRestricted(
          capabilityJudge(req.authz, req.params.id, server),
          await capabilities.diff(
            actorOf(req.principal, String(req.id)),
            req.params.id,
            req.query.from,
            req.query.to,
          ),
        );
      },
    );
  };
}
