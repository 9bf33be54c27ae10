import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApproveToolsBody,
  CreateVirtualServerBody,
  IdParams,
  ListVirtualServersQuery,
  problemResponses,
  UpdateVirtualServerBody,
  VirtualServerPageSchema,
  VirtualServerSchema,
} from '@sprintconnect/contracts';
import { actorOf } from '../identity/index.ts';
import type { VirtualServersService } from './virtual-servers.service.ts';

const tags = ['virtual-servers'];
const SHAPE_NOTE =
  'Members name servers of the organization (another organization’s id is the same 422 as an unknown one) ' +
  'and tools their current capabilities offer; names are checked under the naming rule (422 ' +
  '`virtual_server_name_clash` naming both tools). The change is audited.';

/** `/v1/virtual-servers`: the endpoints an org publishes at `/mcp/{slug}` (issue 11 point 2, ADR 0041). */
export function virtualServerRoutes(service: VirtualServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const org = (orgId: string) => ({ type: 'org', orgId }) as const;
    const one = (orgId: string, id: string) => ({ type: 'virtual_server', orgId, id }) as const;
    const invalid = { 422: ['virtual_server_invalid', 'virtual_server_name_clash'] } as const;

    app.get(
      '/v1/virtual-servers',
      {
        schema: {
          tags,
          summary: 'List virtual servers',
          description: 'Oldest first, without their tool tables (`GET /v1/virtual-servers/{id}` has it).',
          querystring: ListVirtualServersQuery,
          response: { 200: VirtualServerPageSchema, ...problemResponses(401, 403, 422) },
        },
      },
      async (req) => {
        req.authz.assert('virtual_servers:read', org(req.principal.orgId));
        return service.list(req.principal.orgId, req.query);
      },
    );

    app.post(
      '/v1/virtual-servers',
      {
        schema: {
          tags,
          summary: 'Create a virtual server',
          description: `An MCP endpoint at \`/mcp/{slug}\` composed of chosen servers and tools. ${SHAPE_NOTE}`,
          body: CreateVirtualServerBody,
          response: {
            201: VirtualServerSchema,
            ...problemResponses(401, 403, { 409: ['virtual_server_slug_taken'] }, 413, 415, 422, invalid),
          },
        },
      },
      async (req, reply) => {
        req.authz.assert('virtual_servers:write', org(req.principal.orgId));
        const v = await service.create(req.authz, actorOf(req.principal, String(req.id)), req.body);
        return reply.status(201).header('location', v.links.self).send(v);
      },
    );

    app.get(
      '/v1/virtual-servers/:id',
      {
        schema: {
          tags,
          summary: 'Get a virtual server',
          description:
            'With `tools`: what the endpoint shows now, named by its rule, from current capabilities.',
          params: IdParams,
          response: {
            200: VirtualServerSchema,
            ...problemResponses(401, 403, { 404: ['virtual_server_not_found'] }, 422),
          },
        },
      },
      async (req) => {
        req.authz.assert('virtual_servers:read', one(req.principal.orgId, req.params.id));
        return service.get(req.principal.orgId, req.params.id);
      },
    );

    app.patch(
      '/v1/virtual-servers/:id',
      {
        schema: {
          tags,
          summary: 'Change a virtual server',
          description: `Fields given replace the stored ones (members and overrides as whole lists). ${SHAPE_NOTE}`,
          params: IdParams,
          body: UpdateVirtualServerBody,
          response: {
            200: VirtualServerSchema,
            ...problemResponses(
              401,
              403,
              { 404: ['virtual_server_not_found'] },
              { 409: ['virtual_server_slug_taken'] },
              413,
              415,
              422,
              invalid,
            ),
          },
        },
      },
      async (req) => {
        req.authz.assert('virtual_servers:write', one(req.principal.orgId, req.params.id));
        const actor = actorOf(req.principal, String(req.id));
        return service.update(req.authz, actor, req.params.id, req.body);
      },
    );

    app.post(
      '/v1/virtual-servers/:id/approvals',
      {
        schema: {
          tags,
          summary: 'Approve a member server’s tool definitions',
          description:
            'Rug-pull protection (ADR 0044): with `pinning: approved`, a tool whose definition changed since it ' +
            'was approved (or that was never approved) is withheld from the endpoint. This approves, as they are ' +
            'in the named capability version of the member server, the definitions of every tool the virtual ' +
            'server shows from it. The version must be the server’s current one (409 ' +
            '`virtual_server_approval_stale` otherwise: approve what you reviewed). Audited as ' +
            '`virtual_server.tools_approved`.',
          params: IdParams,
          body: ApproveToolsBody,
          response: {
            200: VirtualServerSchema,
            ...problemResponses(
              401,
              403,
              { 404: ['virtual_server_not_found'] },
              { 409: ['virtual_server_approval_stale'] },
              413,
              415,
              422,
              { 422: ['virtual_server_invalid'] },
            ),
          },
        },
      },
      async (req) => {
        req.authz.assert('virtual_servers:write', one(req.principal.orgId, req.params.id));
        return service.approve(actorOf(req.principal, String(req.id)), req.params.id, req.body);
      },
    );

    app.delete(
      '/v1/virtual-servers/:id',
      {
        schema: {
          tags,
          summary: 'Delete a virtual server',
          description: 'Its endpoint stops answering; the servers it was made of are not touched.',
          params: IdParams,
          response: {
            204: { type: 'null', description: 'Deleted' },
            ...problemResponses(401, 403, { 404: ['virtual_server_not_found'] }, 422),
          },
        },
      },
      async (req, reply) => {
        req.authz.assert('virtual_servers:write', one(req.principal.orgId, req.params.id));
        await service.remove(actorOf(req.principal, String(req.id)), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
