import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import { type AuthorizeServer, manifestRoutes } from './manifests.routes.ts';
import { createManifestService, type ManifestService, type ServerLookup } from './manifests.service.ts';
import { trustStoreRoutes } from './trust-store.routes.ts';
import { createTrustStore, type TrustStore } from './trust-store.service.ts';

export interface TrustModule {
  readonly name: 'trust';
  readonly store: TrustStore;
  /** `/v1/trust/...`. */
  readonly routes: readonly FastifyPluginAsync[];
  /**
   * Signed manifests of servers (`/v1/servers/{id}/manifest...`), for the registry, which owns servers: it
   * hands over how to find one and its guard, and mounts the routes (issue 9 point 1).
   */
  serverManifests(registry: { findServer: ServerLookup; authorizeServer: AuthorizeServer }): {
    readonly service: ManifestService;
    readonly routes: FastifyPluginAsync;
  };
}

/** The trust store of public keys and signed capability manifests (ADR 0015). */
export function createTrustModule(deps: Pick<Platform, 'db'>): TrustModule {
  const store = createTrustStore({ db: deps.db });
  return {
    name: 'trust',
    store,
    routes: [trustStoreRoutes(store)],
    serverManifests(registry) {
      const service = createManifestService({ db: deps.db, findServer: registry.findServer });
      return { service, routes: manifestRoutes(service, registry.authorizeServer) };
    },
  };
}
