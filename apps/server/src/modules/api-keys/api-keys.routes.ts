import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApiKeyPageSchema,
  ApiKeySchema,
  CreateApiKeyBody,
  type CreateApiKeyInput,
  CreatedApiKeySchema,
  ForceQuery,
  IdParams,
  type ListApiKeysFilter,
  ListApiKeysQuery,
  problemResponses,
  UpdateApiKeyBody,
  type UpdateApiKeyInput,
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
            'it. Scopes and roles must be within your own permissions; a key holding roles is decided like a ' +
            'user holding them (their permissions and every policy on them apply). `rateLimit` is its own ' +
            'requests per minute (default: the deployment limit). A person creating an admin-level key must ' +
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

    app.patch(
      '/v1/api-keys/:id',
      {
        schema: {
          tags,
          summary: "Change an API key's rate limit",
          description:
            'Sets the key’s own requests per minute (`null`: the deployment limit), effective within a second ' +
            'in every process. Its scopes and roles cannot change: make a new key. Needs `api_keys:write`, and ' +
            '`api_keys:admin` for a key with permissions you do not have or for a limit above the deployment’s.',
          params: IdParams,
          body: UpdateApiKeyBody,
          response: { 200: ApiKeySchema, ...problemResponses(401, 403, 404, 413, 415, 422, 429) },
        },
      },
      async (req) => manage.update(req.authz, String(req.id), req.params.id, req.body as UpdateApiKeyInput),
    );

    app.delete(
      '/v1/api-keys/:id',
      {
        schema: {
          tags,
          summary: 'Revoke an API key',
          description:
            'Effective within a second in every SprintConnect process. Idempotent. A key may always revoke ' +
            'itself; revoking a key with permissions you do not have needs `api_keys:admin`. Revoking the ' +
            'organization’s last credential able to administer it answers 409 `last_administrator` and revokes ' +
            'nothing, unless `force=true`.',
          params: IdParams,
          querystring: ForceQuery,
          response: {
            204: { type: 'null', description: 'Revoked' },
            ...problemResponses(401, 403, 404, 409, 422, 429),
          },
        },
      },
      async (req, reply) => {
        await manage.revoke(req.authz, String(req.id), req.params.id, { force: req.query.force });
        return reply.status(204).send(null);
      },
    );
  };
}
