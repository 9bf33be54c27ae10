import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApiKeyPageSchema,
  ApiKeySchema,
  CreateApiKeyBody,
  type CreateApiKeyInput,
  CreatedApiKeySchema,
  IdParams,
  type ListApiKeysFilter,
  ListApiKeysQuery,
  problemResponses,
} from '@sprintconnect/contracts';
import type { ApiKeyManagement } from './api-keys.manage.ts';

const tags = ['api-keys'];

/** Story 1.2: list, create (the secret is in the 201 response only) and revoke API keys. */
export function apiKeyRoutes(manage: ApiKeyManagement): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/api-keys',
      {
        schema: {
          tags,
          summary: 'Create an API key',
          description:
            'The key (`token`) is in this response only and never shown again; SprintConnect keeps only an HMAC of ' +
            'it. Scopes must be within your own permissions. A person creating a key with an admin scope must ' +
            'have signed in within 10 minutes (`step_up_required`).',
          body: CreateApiKeyBody,
          response: { 201: CreatedApiKeySchema, ...problemResponses(401, 403, 409, 413, 415, 422, 429) },
        },
      },
      async (req, reply) => {
        req.authz.assert('api_keys:write', { type: 'org', orgId: req.principal.orgId });
        const created = await manage.issue(req.authz, String(req.id), req.body as CreateApiKeyInput);
        return reply
          .status(201)
          .header('location', created.links.self)
          .header('cache-control', 'no-store')
          .send(created);
      },
    );

    app.get(
      '/v1/api-keys',
      {
        schema: {
          tags,
          summary: 'List API keys',
          description: 'Newest first, with their scopes, expiry and last use; never their secrets.',
          querystring: ListApiKeysQuery,
          response: { 200: ApiKeyPageSchema, ...problemResponses(401, 403, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('api_keys:read', { type: 'org', orgId: req.principal.orgId });
        return manage.list(req.principal, req.query as ListApiKeysFilter);
      },
    );

    app.get(
      '/v1/api-keys/:id',
      {
        schema: {
          tags,
          summary: 'Get an API key',
          params: IdParams,
          response: { 200: ApiKeySchema, ...problemResponses(401, 403, 404, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('api_keys:read', {
          type: 'api_key',
          orgId: req.principal.orgId,
          id: req.params.id,
        });
        return manage.get(req.principal, req.params.id);
      },
    );

    app.delete(
      '/v1/api-keys/:id',
      {
        schema: {
          tags,
          summary: 'Revoke an API key',
          description:
            'Effective within a second in every SprintConnect process. Idempotent. A key may always revoke ' +
            'itself; revoking a key with permissions you do not have needs `api_keys:admin`.',
          params: IdParams,
          response: {
            204: { type: 'null', description: 'Revoked' },
            ...problemResponses(401, 403, 404, 422, 429),
          },
        },
      },
      async (req, reply) => {
        await manage.revoke(req.authz, String(req.id), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
