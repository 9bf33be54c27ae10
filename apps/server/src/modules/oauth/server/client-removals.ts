import { performance } from 'node:perf_hooks';
import { createKeyCache } from '../../../kernel/index.ts';
import type { Db, Listener } from '../../../platform/db/index.ts';
import { listen } from '../../../platform/db/index.ts';
import { isClientRemoved } from './client-removals.repo.ts';

/** A client's removal is announced on this channel (payload: the client id) to every process. */
export const OAUTH_CLIENT_REMOVED_CHANNEL = 'oauth_client_removed';

export interface ClientRemovals {
  /** Whether the client was removed: then its access tokens are refused (issue 8 point 3). */
  removed(clientId: string): Promise<boolean>;
  /** This process, at once (the notice reaches the others at commit). */
  forget(clientId: string): void;
  close(): Promise<void>;
}

/**
 * Which clients were removed, as every process sees it within a second (like API-key revocation, ADR 0008):
 * answers are cached per process only while the LISTEN connection is up, and a removal notice drops the
 * client's entry; a lookup that raced with a notice does not put the stale answer back (key-cache.ts).
 * Without a listener every question goes to Postgres.
 */
export function createClientRemovals(deps: { db: Db; listenUrl?: string | undefined }): ClientRemovals {
  const cache = createKeyCache<boolean>({ maxEntries: 10_000, ttlMs: 60_000 });
  const listener: Listener | undefined =
    deps.listenUrl === undefined
      ? undefined
      : listen({
          connectionString: deps.listenUrl,
          channel: OAUTH_CLIENT_REMOVED_CHANNEL,
          onMessage: (clientId) => cache.invalidate(clientId),
          onConnected: () => cache.clear(),
          onDisconnected: () => cache.clear(),
        });
  return {
    async removed(clientId) {
      const live = listener?.connected === true;
      if (live) {
        const hit = cache.get(clientId, performance.now());
        if (hit !== undefined) return hit;
      }
      const generation = cache.generation();
      const removed = await isClientRemoved(deps.db, clientId);
      if (live) cache.set(clientId, clientId, removed, performance.now(), generation);
      return removed;
    },
    forget: (clientId) => cache.invalidate(clientId),
    async close() {
      await listener?.close();
      cache.clear();
    },
  };
}
