/**
 * A per-process cache of verified credentials (API keys, OAuth client removals), so that a request with one seen
 * recently costs no database round trip. Entries are found by the HMAC of the token (what the database stores),
 * never by the token itself, so a lookup's timing says nothing about a secret. Revocation reaches every process
 * through LISTEN/NOTIFY (`invalidate(id)`); the TTL only bounds how long an entry can outlive a notice that never
 * came, and the cache is not consulted at all while the listener is down (modules/api-keys/api-keys.service.ts).
 *
 * A lookup that raced with a revocation must not put the stale row back: `generation()` is read before the
 * database lookup and `set` refuses the entry if any invalidation happened in between.
 */
export interface KeyCache<V> {
  get(hash: string, nowMs: number): V | undefined;
  set(hash: string, id: string, value: V, nowMs: number, generation: number): void;
  invalidate(id: string): void;
  clear(): void;
  generation(): number;
  readonly size: number;
}

interface Entry<V> {
  id: string;
  value: V;
  storedAt: number;
}

export function createKeyCache<V>(opts: { maxEntries: number; ttlMs: number }): KeyCache<V> {
  const byHash = new Map<string, Entry<V>>();
  const hashOfId = new Map<string, string>();
  let gen = 0;

  const drop = (hash: string) => {
    const e = byHash.get(hash);
    if (e === undefined) return;
    byHash.delete(hash);
    if (hashOfId.get(e.id) === hash) hashOfId.delete(e.id);
  };

  return {
    get(hash, nowMs) {
      const e = byHash.get(hash);
      if (e === undefined) return undefined;
      if (nowMs - e.storedAt >= opts.ttlMs) {
        drop(hash);
        return undefined;
      }
      // Most recently used goes last; eviction takes the first.
      byHash.delete(hash);
      byHash.set(hash, e);
      return e.value;
    },
    set(hash, id, value, nowMs, generation) {
      if (generation !== gen) return;
      drop(hash);
      const previous = hashOfId.get(id);
      if (previous !== undefined) drop(previous);
      byHash.set(hash, { id, value, storedAt: nowMs });
      hashOfId.set(id, hash);
      while (byHash.size > opts.maxEntries) {
        const oldest = byHash.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
    },
    invalidate(id) {
      gen++;
      const hash = hashOfId.get(id);
      if (hash !== undefined) drop(hash);
    },
    clear() {
      gen++;
      byHash.clear();
      hashOfId.clear();
    },
    generation: () => gen,
    get size() {
      return byHash.size;
    },
  };
}
