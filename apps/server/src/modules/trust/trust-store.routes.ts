import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdParams,
  problemResponses,
  TrustKeyBody,
  TrustKeyListSchema,
  TrustKeySchema,
  TrustSettingsBody,
  TrustSettingsSchema,
} from '@sprintconnect/contracts';
import { actorOf } from '../identity/index.ts';
import type { TrustStore } from './trust-store.service.ts';

const tags = ['trust'];

export function trustStoreRoutes(store: TrustStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/trust/keys',
      {
        schema: {
          tags,
          summary: 'List the trust store',
          description:
            'The public keys whose signatures make a capability manifest trusted in this organization.',
          response: { 200: TrustKeyListSchema, ...problemResponses(401, 403, 429) },
        },
      },
      async (req) => {
        req.authz.assert('trust:read', { type: 'org', orgId: req.principal.orgId });
        return { items: await store.listKeys(actorOf(req.principal, String(req.id))) };
      },
    );

    app.post(
      '/v1/trust/keys',
      {
        schema: {
          tags,
          summary: 'Trust a manifest signing key',
          description:
            'Adds a public JWK (Ed25519 or P-256) with the issuer that signs with it. Private keys (`d`) are ' +
            'refused with 422 and never stored; RSA, HMAC and other algorithms are refused with 422.',
          body: TrustKeyBody,
          response: { 201: TrustKeySchema, ...problemResponses(401, 403, 409, 413, 415, 422, 429) },
        },
      },
      async (req, reply) => {
        req.authz.assert('trust:write', { type: 'org', orgId: req.principal.orgId });
        const key = await store.addKey(actorOf(req.principal, String(req.id)), req.body);
        return reply.status(201).header('location', `/v1/trust/keys/${key.id}`).send(key);
      },
    );

    app.delete(
      '/v1/trust/keys/:id',
      {
        schema: {
          tags,
          summary: 'Stop trusting a manifest signing key',
          description:
            'New manifests signed by it are refused; stored versions remain, but a rollback no longer returns to them.',
          params: IdParams,
          response: {
            204: { type: 'null', description: 'Removed' },
            ...problemResponses(401, 403, 404, 422, 429),
          },
        },
      },
      async (req, reply) => {
        req.authz.assert('trust:write', { type: 'org', orgId: req.principal.orgId });
        await store.removeKey(actorOf(req.principal, String(req.id)), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/trust/settings',
      {
        schema: {
          tags,
          summary: 'Read the trust settings',
          response: { 200: TrustSettingsSchema, ...problemResponses(401, 403, 429) },
        },
      },
      async (req) => {
        req.authz.assert('trust:read', { type: 'org', orgId: req.principal.orgId });
        return store.settings(actorOf(req.principal, String(req.id)));
      },
    );

    app.put(
      '/v1/trust/settings',
      {
        schema: {
          tags,
          summary: 'Change the trust settings',
          description:
            'With `requireSignedManifests`, registering a server without a manifest signed by a trusted key ' +
            'fails with 422 `manifest_required` and changes nothing. Servers already registered are kept.',
          body: TrustSettingsBody,
          response: { 200: TrustSettingsSchema, ...problemResponses(401, 403, 413, 415, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('trust:write', { type: 'org', orgId: req.principal.orgId });
        return store.setSettings(actorOf(req.principal, String(req.id)), req.body);
      },
    );
  };
}
