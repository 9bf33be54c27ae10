import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdParams,
  type ListUsersFilter,
  ListUsersQuery,
  problemResponses,
  SetUserRolesBody,
  UserPageSchema,
  UserSchema,
} from '@sprintconnect/contracts';
import type { UsersService } from './users.service.ts';

const tags = ['users'];

export function userRoutes(users: UsersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/users',
      {
        schema: {
          tags,
          summary: 'List users with their roles',
          querystring: ListUsersQuery,
          response: { 200: UserPageSchema, ...problemResponses(401, 403, 422) },
        },
      },
      async (req) => {
        req.authz.assert('users:read', { type: 'org', orgId: req.principal.orgId });
        return users.list(req.principal, req.query as ListUsersFilter);
      },
    );

    app.get(
      '/v1/users/:id',
      {
        schema: {
          tags,
          summary: 'Get a user, their roles and effective permissions',
          params: IdParams,
          response: { 200: UserSchema, ...problemResponses(401, 403, 404, 422) },
        },
      },
      async (req) => {
        req.authz.assert('users:read', {
          type: 'user',
          orgId: req.principal.orgId,
          id: req.params.id,
        });
        return users.get(req.principal, req.params.id);
      },
    );

    app.put(
      '/v1/users/:id/roles',
      {
        schema: {
          tags,
          summary: "Set a user's roles",
          description:
            'Replaces the list. Takes effect on the user’s next request, in every process, within a second. ' +
            'Needs `roles:write`, a sign-in within the last 10 minutes for people (`step_up_required`), and ' +
            'every permission of each role added or removed (403 names the missing ones); the last active ' +
            'owner keeps the owner role (409 last_owner).',
          params: IdParams,
          body: SetUserRolesBody,
          response: { 200: UserSchema, ...problemResponses(401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req) => {
        req.authz.assert('roles:write', {
          type: 'user',
          orgId: req.principal.orgId,
          id: req.params.id,
        });
        return users.setRoles(req.authz, String(req.id), req.params.id, req.body.roles);
      },
    );
  };
}
