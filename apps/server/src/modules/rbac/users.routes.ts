import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ForceQuery,
  IdParams,
  type ListUsersFilter,
  ListUsersQuery,
  problemResponses,
  SetUserRolesBody,
  UserPageSchema,
  UserSchema,
} from '@sprintconnect/contracts';
import type { UserLifecycle } from './user-lifecycle.ts';
import type { UsersService } from './users.service.ts';

const tags = ['users'];

export function userRoutes(users: UsersService, lifecycle: UserLifecycle): FastifyPluginAsyncTypebox {
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
            'owner keeps the owner role (409 last_owner), and a change that would leave no credential able to ' +
            'administer the organization answers 409 last_administrator unless `force=true`.',
          params: IdParams,
          querystring: ForceQuery,
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
        return users.setRoles(req.authz, String(req.id), req.params.id, req.body.roles, {
          force: req.query.force,
        });
      },
    );

    const statusSchema = (summary: string, description: string) => ({
      schema: {
        tags,
        summary,
        description,
        params: IdParams,
        response: { 200: UserSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    });

    app.post(
      '/v1/users/:id/deactivate',
      statusSchema(
        'Deactivate a user',
        'The user can no longer sign in; their sessions, OAuth grants and open invitation end, and their ' +
          'access tokens are refused by every process within a second. Needs `users:write`, every ' +
          'permission the user holds, and a sign-in within 10 minutes for people. Refused for yourself ' +
          '(409 cannot_deactivate_self), for the last active owner (409 last_owner) and for the last active ' +
          'user able to administer the org (409 last_admin). Deactivating a deactivated user changes nothing.',
      ),
      async (req) => {
        req.authz.assert('users:write', { type: 'user', orgId: req.principal.orgId, id: req.params.id });
        return lifecycle.deactivate(req.authz, String(req.id), req.params.id);
      },
    );

    app.post(
      '/v1/users/:id/reactivate',
      statusSchema(
        'Reactivate a deactivated user',
        'Undoes a deactivation: the user may sign in again (the sessions and grants the deactivation ended ' +
          'stay ended). Needs `users:write`, every permission the user holds, and a recent sign-in for ' +
          'people. Reactivating a user who is not deactivated changes nothing.',
      ),
      async (req) => {
        req.authz.assert('users:write', { type: 'user', orgId: req.principal.orgId, id: req.params.id });
        return lifecycle.reactivate(req.authz, String(req.id), req.params.id);
      },
    );
  };
}
