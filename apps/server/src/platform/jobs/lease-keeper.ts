/**
 * Keeps the leases of one process's running attempts alive: one heartbeat statement per interval for all of
 * them (migration 014, jobs_heartbeat), and an abort for every attempt whose lease was not extended, because
 * from then on the reaper may give its job to another run (issue 8, points 20 and 21).
 */

/** The attempt no longer holds its job: it must stop, and it can no longer write. */
export class LeaseLostError extends Error {
  constructor(detail: string) {
    super(`the job's lease was lost: ${detail}`);
    this.name = 'LeaseLostError';
  }
}

export interface LeaseTiming {
  /** How long a lease lasts without a heartbeat: how soon a crashed run's job is released. */
  readonly ttlMs: number;
  /** How often the process extends its leases; a third of the TTL, so two beats may fail without loss. */
  readonly heartbeatMs: number;
}

export const DEFAULT_LEASE: LeaseTiming = Object.freeze({ ttlMs: 6000, heartbeatMs: 2000 });

export interface LeaseKeeper {
  /** Keeps `token`'s lease alive until the returned function is called; `onLost` when it cannot. */
  hold(token: string, onLost: (error: LeaseLostError) => void): () => void;
  start(): void;
  stop(): void;
  /** One heartbeat now (the timer calls it every `heartbeatMs`). */
  beat(): Promise<void>;
  /** How many attempts hold leases now. */
  held(): number;
}

interface Held {
  seq: number;
  /** performance.now() of the claim or of the last heartbeat that extended the lease. */
  confirmedAt: number;
  onLost: (error: LeaseLostError) => void;
}

export function createLeaseKeeper(deps: {
  /** Extends every lease this process holds; returns their tokens (leases.repo.ts heartbeat). */
  extend: (ttlMs: number) => Promise<Set<string>>;
  timing: LeaseTiming;
  onError?: (error: unknown) => void;
  /** Monotonic milliseconds. */
  now?: () => number;
}): LeaseKeeper {
  const now = deps.now ?? (() => performance.now());
  const { timing } = deps;
  const leases = new Map<string, Held>();
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let beating = false;

  const lose = (token: string, detail: string) => {
    const h = leases.get(token);
    if (h === undefined) return;
    leases.delete(token);
    h.onLost(new LeaseLostError(detail));
  };

  async function beat(): Promise<void> {
    if (beating || leases.size === 0) return;
    beating = true;
    // Only leases claimed before the statement runs can be in its answer: a claim committed meanwhile is not
    // lost because this beat missed it.
    const asked = seq;
    const startedAt = now();
    try {
      const extended = await deps.extend(timing.ttlMs);
      for (const [token, h] of [...leases]) {
        if (h.seq > asked) continue;
        if (extended.has(token)) h.confirmedAt = startedAt;
        else lose(token, 'it lapsed or was taken over before this process extended it');
      }
    } catch (error) {
      deps.onError?.(error);
      // Without a heartbeat the lease runs out in the database all the same: stop before it does.
      for (const [token, h] of [...leases]) {
        if (now() - h.confirmedAt >= timing.ttlMs - timing.heartbeatMs / 2) {
          lose(token, 'the heartbeat could not reach the database');
        }
      }
    } finally {
      beating = false;
    }
  }

  return {
    hold(token, onLost) {
      seq += 1;
      leases.set(token, { seq, confirmedAt: now(), onLost });
      return () => {
        leases.delete(token);
      };
    },
    start() {
      timer ??= setInterval(() => void beat(), timing.heartbeatMs);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    beat,
    held: () => leases.size,
  };
}
