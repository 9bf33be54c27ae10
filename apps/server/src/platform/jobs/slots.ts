/**
 * How many attempts a process runs at once, and how they are shared (issue 8, point 17). Jobs such as
 * discovery and health checks wait on sockets, not on the CPU, so a slot is cheap (a pending promise and a
 * socket) and a process runs many. Two caps keep one tenant's or one upstream's trouble its own:
 * - per org: enforced when messages are fetched (pg-boss leaves an org at its cap out of the fetch), so an
 *   org's hanging servers occupy at most its share and never hold a slot another org could use;
 * - per host: enforced when an attempt starts (the host is known only then); an attempt whose host is at its
 *   cap waits briefly for a slot there, and if none frees up it is parked, to be delivered again later, at
 *   no cost of an attempt.
 */
export interface SlotCaps {
  /** Attempts this process runs at once, per job kind. */
  readonly perProcess: number;
  /** Attempts of one org this process runs at once, per job kind. */
  readonly perOrg: number;
  /** Attempts against one upstream (URL host and port) this process runs at once, all job kinds together. */
  readonly perHost: number;
}

/**
 * 32 slots: a waiting attempt holds one socket and a few kilobytes, so even 32 hanging servers cost little.
 * 8 per org: a quarter of the process, so at least four tenants are served at full speed while one is stuck.
 * 4 per host: about what browsers open to one HTTP/1.1 origin (6); an MCP server sees at most 4 concurrent
 * discoveries from one process, however many servers are registered on it.
 */
export const DEFAULT_SLOT_CAPS: SlotCaps = Object.freeze({ perProcess: 32, perOrg: 8, perHost: 4 });

export function resolveSlotCaps(partial: Partial<SlotCaps> | undefined): SlotCaps {
  const caps = { ...DEFAULT_SLOT_CAPS, ...partial };
  for (const [name, v] of Object.entries(caps)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`job slot cap ${name} must be a whole number >= 1`);
  }
  return Object.freeze({ ...caps, perOrg: Math.min(caps.perOrg, caps.perProcess) });
}

export interface HostGate {
  /** Takes a slot on `host`, or returns undefined when the host is at its cap. Call the result to give it back. */
  tryTake(host: string): (() => void) | undefined;
  /**
   * Takes a slot on `host`, waiting for one up to `maxWaitMs` if the host is at its cap, in a queue no longer
   * than the cap itself; undefined when the queue is full, the wait runs out, or `signal` aborts.
   */
  take(host: string, opts: { maxWaitMs: number; signal?: AbortSignal }): Promise<(() => void) | undefined>;
  inUse(host: string): number;
}

interface Waiter {
  grant: (release: () => void) => void;
}

/**
 * The per-host cap of one process: a counter per host, forgotten when it drops to zero, and a short FIFO of
 * attempts waiting for a slot there. A released slot passes straight to the first waiter, so a host's queue
 * drains as fast as the host answers; waiting is bounded in number and time so that a hanging host ties up
 * at most twice its cap of this process's slots, and only briefly for the waiters (ADR 0024).
 */
export function createHostGate(perHost: number): HostGate {
  const used = new Map<string, number>();
  const waiting = new Map<string, Waiter[]>();

  const releaser = (key: string) => {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = waiting.get(key)?.shift();
      if (waiting.get(key)?.length === 0) waiting.delete(key);
      if (next !== undefined) {
        next.grant(releaser(key));
        return;
      }
      const left = (used.get(key) ?? 1) - 1;
      if (left <= 0) used.delete(key);
      else used.set(key, left);
    };
  };

  const tryTake = (host: string) => {
    const key = host.toLowerCase();
    const n = used.get(key) ?? 0;
    if (n >= perHost) return undefined;
    used.set(key, n + 1);
    return releaser(key);
  };

  return {
    tryTake,
    async take(host, opts) {
      const now = tryTake(host);
      if (now !== undefined || opts.maxWaitMs <= 0 || opts.signal?.aborted) return now;
      const key = host.toLowerCase();
      const queue = waiting.get(key) ?? [];
      if (queue.length >= perHost) return undefined;
      waiting.set(key, queue);
      return new Promise((resolve) => {
        const leave = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          if (queue.length === 0 && waiting.get(key) === queue) waiting.delete(key);
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
        };
        const waiter: Waiter = {
          grant: (release) => {
            leave();
            resolve(release);
          },
        };
        const onAbort = () => {
          leave();
          resolve(undefined);
        };
        const timer = setTimeout(onAbort, opts.maxWaitMs);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
    inUse: (host) => used.get(host.toLowerCase()) ?? 0,
  };
}
