/**
 * One turn at a time per org, in this process, for the transactions that move an org's quota counters (issue 8
 * point 16, ADR 0025). A waiter waits here, in memory, before it takes a pooled connection: a burst of creates
 * in one org holds one connection of this process, not the whole pool, while the others queue as promises.
 * Between processes the counter's row lock still decides; this gate only bounds how many connections of each
 * process can wait on it (at most one per org).
 *
 * A waiter that has not had its turn after `maxWaitMs` is refused with `busy()` (a 429 with a retry hint) rather
 * than kept waiting behind a queue that is not moving fast enough. Turns are not reentrant: `fn` must not ask
 * for the same org's turn again.
 */
export interface OrgGate {
  run<T>(orgId: string, fn: () => Promise<T>): Promise<T>;
}

interface Waiter {
  start: () => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createOrgGate(opts: { maxWaitMs: number; busy: (waitedMs: number) => Error }): OrgGate {
  // An org is in the map while someone has its turn; its queue holds those waiting, oldest first.
  const queues = new Map<string, Waiter[]>();

  function next(orgId: string): void {
    const queue = queues.get(orgId);
    const waiter = queue?.shift();
    if (waiter === undefined) {
      queues.delete(orgId);
      return;
    }
    clearTimeout(waiter.timer);
    waiter.start();
  }

  async function turn(orgId: string): Promise<void> {
    const queue = queues.get(orgId);
    if (queue === undefined) {
      queues.set(orgId, []);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(opts.busy(opts.maxWaitMs));
        }, opts.maxWaitMs),
      };
      queue.push(waiter);
    });
  }

  return {
    async run(orgId, fn) {
      await turn(orgId);
      try {
        return await fn();
      } finally {
        next(orgId);
      }
    },
  };
}
