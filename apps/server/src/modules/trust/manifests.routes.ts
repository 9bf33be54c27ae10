import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CurrentManifestSchema,
  IdParams,
  ManifestBody,
  ManifestDriftSchema,
  ManifestVersionPageSchema,
  ManifestVersionsQuery,
  problemResponses,
} from '@sprintconnect/contracts';
import type { Action, Authorizer } from '../authz/index.ts';
import { actorOf } from '../identity/index.ts';
import type { ManifestService } from './manifests.service.ts';

const tags = ['servers'];

/**
 * The registry's guard on one server (the PDP with the server's attributes; 404 for a server the caller may
 * not see, ADR 0020), handed in by the registry, which mounts these routes: trust does not import the registry.
 */
export type AuthorizeServer = (authz: Authorizer, action: Action, id: string) => Promise<unknown>;

export function manifestRoutes(
  manifests: ManifestService,
  authorizeServer: AuthorizeServer,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put(
      '/v1/servers/:id/manifest',
      {
        schema: {
          tags,
          summary: 'Submit a signed capability manifest',
          description:
            'Verifies the compact JWS against the trust store of your organization only (never a key named or ' +
            'carried by the JWS) and makes it the current version; every refusal is a 422 with its own code.',
          params: IdParams,
          body: ManifestBody,
          response: { 200: CurrentManifestSchema, ...problemResponses(401, 403, 404, 413, 415, 422, 429) },
        },
      },
      async (req) => {
        await authorizeServer(req.authz, 'servers:update', req.params.id);
        return manifests.submit(actorOf(req.principal, String(req.id)), req.params.id, req.body.manifest);
      },
    );

    app.get(
      '/v1/servers/:id/manifest',
      {
        schema: {
          tags,
          summary: 'Get the current manifest',
          params: IdParams,
          response: { 200: CurrentManifestSchema, ...problemResponses(401, 403, 404, 422, 429) },
        },
      },
      async (req) => {
        await authorizeServer(req.authz, 'servers:read', req.params.id);
        return manifests.current(actorOf(req.principal, String(req.id)), req.params.id);
      },
    );

    app.get(
      '/v1/servers/:id/manifests',
      {
        schema: {
          tags,
          summary: 'List manifest versions',
          description: 'Newest first, with issuer, kid, signature and policy hash of each.',
          params: IdParams,
          querystring: ManifestVersionsQuery,
          response: { 200: ManifestVersionPageSchema, ...problemResponses(401, 403, 404, 422, 429) },
        },
      },
      async (req) => {
        await authorizeServer(req.authz, 'servers:read', req.params.id);
        return manifests.list(actorOf(req.principal, String(req.id)), req.params.id, req.query);
      },
    );

    app.post(
      '/v1/servers/:id/manifest/rollback',
      {
        schema: {
          tags,
          summary: 'Roll back to the last good manifest',
          description:
            'The newest earlier version that still verifies against the trust store becomes current; the version ' +
            'rolled back from is never returned to. 409 when there is none.',
          params: IdParams,
          response: { 200: CurrentManifestSchema, ...problemResponses(401, 403, 404, 409, 422, 429) },
        },
      },
      async (req) => {
        await authorizeServer(req.authz, 'servers:update', req.params.id);
        return manifests.rollback(actorOf(req.principal, String(req.id)), req.params.id);
      },
    );

    app.get(
      '/v1/servers/:id/manifest/drift',
      {
        schema: {
          tags,
          summary: 'Compare live capabilities with the manifest',
          description:
            'What the last discovery found that the current manifest does not state (`added`), states but was ' +
            'not found (`removed`) or states differently (`changed`).',
          params: IdParams,
          response: { 200: ManifestDriftSchema, ...problemResponses(401, 403, 404, 422, 429) },
        },
      },
      async (req) => {
        await authorizeServer(req.authz, 'servers:read', req.params.id);
        return manifests.drift(actorOf(req.principal, String(req.id)), req.params.id);
      },
    );
  };
}
