import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateRoleBody,
  IdParams,
  ListRolesQuery,
  problemResponses,
  RolePageSchema,
  RoleSchema,
  UpdateRoleBody,
} from '@sprintconnect/contracts';
import type { RolesService } from './roles.service.ts';

const tags = ['roles'];
const WRITE_NOTE =
  'Needs `roles:write`, a sign-in within the last 10 minutes for people (`step_up_required`), and every ' +
  'permission the role carries before and after the change (403 names the missing ones).';

export function roleRoutes(roles: RolesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/roles',
      {
        schema: {
          tags,
          summary: 'List roles',
          description: 'The five built-in roles and the custom roles of the organization, oldest first.',
          querystring: ListRolesQuery,
          response: { 200: RolePageSchema, ...problemResponses(401, 403, 422) },
        },
      },
      async (req) => {
        req.authz.assert('roles:read', { type: 'org', orgId: req.principal.orgId });
        return roles.list(req.principal, req.query);
      },
    );

    app.post(
      '/v1/roles',
      {
        schema: {
          tags,
          summary: 'Create a custom role',
          description: `A named set of permissions, optionally extending another role. ${WRITE_NOTE}`,
          body: CreateRoleBody,
          response: { 201: RoleSchema, ...problemResponses(401, 403, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        req.authz.assert('roles:write', { type: 'org', orgId: req.principal.orgId });
        const role = await roles.create(req.authz, String(req.id), req.body);
        return reply.status(201).header('location', role.links.self).send(role);
      },
    );

    app.get(
      '/v1/roles/:id',
      {
        schema: {
          tags,
          summary: 'Get a role',
          params: IdParams,
          response: { 200: RoleSchema, ...problemResponses(401, 403, 404, 422) },
        },
      },
      async (req) => {
        req.authz.assert('roles:read', {
          type: 'role',
          orgId: req.principal.orgId,
          id: req.params.id,
        });
        return roles.get(req.principal, req.params.id);
      },
    );

    app.patch(
      '/v1/roles/:id',
      {
        schema: {
          tags,
          summary: 'Change a custom role',
          description: `Built-in roles cannot be changed (409 role_built_in). ${WRITE_NOTE}`,
          params: IdParams,
          body: UpdateRoleBody,
          response: { 200: RoleSchema, ...problemResponses(401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req) => {
        req.authz.assert('roles:write', {
          type: 'role',
          orgId: req.principal.orgId,
          id: req.params.id,
        });
        return roles.update(req.authz, String(req.id), req.params.id, req.body);
      },
    );

    app.delete(
      '/v1/roles/:id',
      {
        schema: {
          tags,
          summary: 'Delete a custom role',
          description: `Only a role nobody holds and no role extends (409 role_in_use). ${WRITE_NOTE}`,
          params: IdParams,
          response: {
            204: { type: 'null', description: 'Deleted' },
            ...problemResponses(401, 403, 404, 409, 422),
          },
        },
      },
      async (req, reply) => {
        req.authz.assert('roles:write', {
          type: 'role',
          orgId: req.principal.orgId,
          id: req.params.id,
        });
        await roles.remove(req.authz, String(req.id), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
