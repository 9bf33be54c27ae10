/**
 * A fixed-window limit shared by every process, spent mostly without a round trip to the shared store.
 *
 * Each process reserves a slice of the window's points in the store (one atomic add) and spends it locally;
 * only when its slice is used up does it reserve again. The slice is a tenth of what the store last said was
 * left, so it shrinks as the window fills: far from the limit one reservation covers many requests, close to
 * it every request reserves a single point and the count is exact. Reservations are added to the one shared
 * counter, so together the processes never admit more than the limit; the price is that points a process
 * reserved but did not spend before the window ends are lost (at most one slice per process, and slices are
 * small near the limit). Once the store says the window is spent, the process answers 429 locally until the
 * window resets. ADR 0008.
 */
export interface CounterStore {
  /** Adds `points` to the key's counter in the current window; returns the new total and ms to the reset. */
  add(key: string, points: number): Promise<{ total: number; msBeforeReset: number }>;
}

export interface Admission {
  readonly allowed: boolean;
  readonly limit: number;
  /** An estimate: this process's unspent slice plus what the store had left at the last reservation. */
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
  readonly windowSeconds: number;
}

export interface LeaseLimiter {
  admit(key: string): Promise<Admission>;
  /**
   * The same kind of limit for callers that cannot wait (a decision inside a synchronous guard), answered at
   * once from what this process knows: the shared total the store last reported plus what it admitted since.
   * Each admission is reported to the store in the background (batched while a report is in flight), so every
   * process soon sees the others' use. It never refuses because the store is slow; the price is an overshoot of
   * what other processes admitted but had not reported yet (about one round trip of their traffic).
   */
  admitNow(key: string): Admission;
}

interface Lease {
  held: number;
  unreserved: number;
  resetAt: number;
}

const SLICE_FRACTION = 0.1;
const MAX_SLICE = 100;
const MAX_KEYS = 10_000;

export function createLeaseLimiter(opts: {
  limit: number;
  windowSeconds: number;
  store: CounterStore;
  /** Milliseconds; a monotonic-enough wall clock. */
  now?: () => number;
}): LeaseLimiter {
  const { limit, store } = opts;
  const windowMs = opts.windowSeconds * 1000;
  const now = opts.now ?? Date.now;
  const leases = new Map<string, Lease>();
  const reserving = new Map<string, Promise<void>>();

  const answer = (allowed: boolean, l: Lease, t: number): Admission => ({
    allowed,
    limit,
    remaining: allowed ? l.held + l.unreserved : 0,
    resetSeconds: Math.max(1, Math.ceil((l.resetAt - t) / 1000)),
    windowSeconds: opts.windowSeconds,
  });

  function prune(t: number): void {
    if (leases.size < MAX_KEYS) return;
    for (const [k, l] of leases) if (l.resetAt <= t) leases.delete(k);
    // Still full of live keys: drop the least recently reserved (their slices are lost, never over-admitted).
    for (const k of leases.keys()) {
      if (leases.size < MAX_KEYS) break;
      leases.delete(k);
    }
  }

  const sliceFor = (known: number) => Math.max(1, Math.min(MAX_SLICE, Math.floor(known * SLICE_FRACTION)));

  // admitNow: per key, the shared total as the store last reported it, plus what this process admitted and has
  // not reported yet; reports go to the store one at a time, in the background.
  const instant = new Map<string, { total: number; unsynced: number; resetAt: number; syncing: boolean }>();
  async function report(
    key: string,
    k: { total: number; unsynced: number; resetAt: number; syncing: boolean },
  ) {
    k.syncing = true;
    try {
      while (k.unsynced > 0) {
        const n = k.unsynced;
        const r = await store.add(key, n);
        k.unsynced -= n;
        k.total = r.total;
        k.resetAt = now() + (r.msBeforeReset > 0 ? r.msBeforeReset : windowMs);
      }
    } catch {
      // The store is unreachable: keep counting locally; the next admission tries again.
    } finally {
      k.syncing = false;
    }
  }

  async function reserve(key: string, known: number): Promise<void> {
    const slice = sliceFor(known);
    const r = await store.add(key, slice);
    const before = r.total - slice;
    const granted = Math.min(slice, Math.max(0, limit - before));
    const t = now();
    prune(t);
    leases.delete(key);
    leases.set(key, {
      held: granted,
      unreserved: Math.max(0, limit - r.total),
      resetAt: t + (r.msBeforeReset > 0 ? r.msBeforeReset : windowMs),
    });
  }

  return {
    admitNow(key) {
      const t = now();
      let k = instant.get(key);
      if (k === undefined || t >= k.resetAt) {
        if (instant.size >= MAX_KEYS) instant.delete(instant.keys().next().value as string);
        k = { total: 0, unsynced: 0, resetAt: t + windowMs, syncing: false };
        instant.set(key, k);
      }
      const used = k.total + k.unsynced;
      const resetSeconds = Math.max(1, Math.ceil((k.resetAt - t) / 1000));
      if (used >= limit)
        return { allowed: false, limit, remaining: 0, resetSeconds, windowSeconds: opts.windowSeconds };
      k.unsynced++;
      if (!k.syncing) void report(key, k);
      return {
        allowed: true,
        limit,
        remaining: limit - used - 1,
        resetSeconds,
        windowSeconds: opts.windowSeconds,
      };
    },
    async admit(key) {
      // Each pass answers or waits for one reservation; every reservation adds at least one point to the
      // store, so the window is spent (and answers 429) after at most `limit` of them.
      for (let pass = 0; pass <= limit; pass++) {
        const t = now();
        let lease = leases.get(key);
        if (lease !== undefined && t >= lease.resetAt) {
          leases.delete(key);
          lease = undefined;
        }
        if (lease !== undefined && lease.held > 0) {
          lease.held--;
          return answer(true, lease, t);
        }
        if (lease !== undefined && lease.unreserved === 0) return answer(false, lease, t);
        let pending = reserving.get(key);
        if (pending === undefined) {
          pending = reserve(key, lease?.unreserved ?? limit).finally(() => reserving.delete(key));
          reserving.set(key, pending);
        }
        await pending;
      }
      // Unreachable with a store that counts; fail closed if one does not.
      const t = now();
      return answer(false, leases.get(key) ?? { held: 0, unreserved: 0, resetAt: t + windowMs }, t);
    },
  };
}
