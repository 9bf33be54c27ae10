import { isDatabaseUnavailable } from './unavailable.ts';

/**
 * Notices a lost database and its return, and says so in the log (issue 8 points 1 and 15). It learns of a loss
 * from connections that break (pool and client `error` events) and from a light probe, `SELECT 1` every few
 * seconds (every half second while the database is away), so a quiet service notices too. Nothing here retries
 * requests: the pools open fresh connections on the next checkout, and the LISTEN connections reconnect and
 * empty their caches on their own (notify.ts).
 */
export interface Availability {
  /** A connection-class failure seen somewhere (an error listener); other errors are ignored. */
  report(error: unknown): void;
  close(): void;
}

export function watchAvailability(opts: {
  probe: () => Promise<void>;
  log: (msg: string) => void;
  /** Probe period while up, and while down (defaults 5 s and 500 ms). */
  everyMs?: { up: number; down: number };
}): Availability {
  const every = opts.everyMs ?? { up: 5000, down: 500 };
  let up = true;
  let since = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let probing = false;

  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void probe(), up ? every.up : every.down);
    timer.unref();
  };

  const lost = (error: unknown) => {
    if (!up || closed) return;
    up = false;
    since = Date.now();
    const why = error instanceof Error ? error.message : String(error);
    opts.log(
      `database: connection lost (${why}); requests get 503 database_unavailable and /readyz is not ready until it is back`,
    );
    schedule();
  };

  async function probe(): Promise<void> {
    if (probing || closed) return;
    probing = true;
    try {
      await opts.probe();
      if (!up && !closed) {
        up = true;
        opts.log(
          `database: reachable again after ${Date.now() - since} ms; connections recover on their own`,
        );
      }
    } catch (e) {
      if (isDatabaseUnavailable(e)) lost(e);
    } finally {
      probing = false;
      schedule();
    }
  }

  schedule();
  return {
    report(error) {
      if (isDatabaseUnavailable(error)) lost(error);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
