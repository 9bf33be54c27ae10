import type { CounterStore } from './lease-limiter.ts';

/**
 * A limit on attempts that may fail (a client secret, a password), shared by every process: each attempt takes
 * a point in the shared counter before it runs, and a success gives it back, so what is left in a window is
 * the failures (and the attempts still running). Taking first makes a burst exact: sixty guesses sent at once
 * get totals 1..60 from one atomic add each, and only `limit` of them run, whichever process serves them.
 *
 * Why not the lease limiter: it spends on admission and never gives back, so every success would count as a
 * failure; and its slices trade exactness for fewer round trips, which is the wrong trade for a handful of
 * points. Here every attempt costs a round trip, which authentication can afford. A key seen spent is refused
 * from memory until its window resets, so an attacker's hammering costs the store nothing. ADR 0022.
 */
export interface AttemptLimiter {
  /** Takes one attempt for `key`, or refuses (taking nothing) when the key's window is spent. */
  take(key: string): Promise<Attempt>;
}

export type Attempt =
  | {
      readonly allowed: true /** The attempt succeeded: its point is given back (once). */;
      succeeded(): Promise<void>;
    }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

const MAX_BLOCKED = 10_000;

export function createAttemptLimiter(opts: {
  limit: number;
  windowSeconds: number;
  store: CounterStore;
  /** Milliseconds. */
  now?: () => number;
}): AttemptLimiter {
  const { limit, store } = opts;
  const now = opts.now ?? Date.now;
  const blocked = new Map<string, number>();
  const refusal = (until: number) =>
    ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now()) / 1000)) }) as const;
  const giveBack = (key: string) => store.add(key, -1).then(() => undefined);

  return {
    async take(key) {
      const until = blocked.get(key);
      if (until !== undefined) {
        if (now() < until) return refusal(until);
        blocked.delete(key);
      }
      const r = await store.add(key, 1);
      if (r.total > limit) {
        const resetAt = now() + (r.msBeforeReset > 0 ? r.msBeforeReset : opts.windowSeconds * 1000);
        if (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value as string);
        blocked.set(key, resetAt);
        // A refused attempt is not an attempt: only what ran counts toward the window.
        await giveBack(key).catch(() => undefined);
        return refusal(resetAt);
      }
      let given = false;
      return {
        allowed: true,
        async succeeded() {
          if (given) return;
          given = true;
          await giveBack(key);
        },
      };
    },
  };
}
