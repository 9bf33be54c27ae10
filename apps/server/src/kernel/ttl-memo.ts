/**
 * A per-process memo of async reads by key, each kept for `ttlMs` (the gateway's catalogues and decrypted upstream
 * connections, ADR 0040): concurrent callers of one key share one read, a failed read is not kept (the next call
 * reads again), and at `maxEntries` the memo starts over, so keys a caller makes up cannot grow it without bound.
 */
export interface TtlMemo<V> {
  get(key: string, read: () => Promise<V>): Promise<V>;
  /** Drops the keys `match` selects, so their next `get` reads again (a change was announced, ADR 0047). */
  forget(match: (key: string) => boolean): void;
}

export function createTtlMemo<V>(opts: {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}): TtlMemo<V> {
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? Number.POSITIVE_INFINITY;
  const kept = new Map<string, { at: number; value: Promise<V> }>();
  return {
    get(key, read) {
      const hit = kept.get(key);
      if (hit !== undefined && now() - hit.at < opts.ttlMs) return hit.value;
      const value = read();
      if (kept.size >= max) kept.clear();
      kept.set(key, { at: now(), value });
      value.catch(() => {
        if (kept.get(key)?.value === value) kept.delete(key);
      });
      return value;
    },
    forget(match) {
      for (const key of [...kept.keys()]) if (match(key)) kept.delete(key);
    },
  };
}
