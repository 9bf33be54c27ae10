import type { Postmaster } from './embedded-postmaster.ts';

/**
 * Keeps the embedded PostgreSQL running (issue 8 point 15): when the postmaster dies while the service runs
 * (OOM killer, kill -9, a crash), start it again on the same data dir and the same port, so the pools, LISTEN
 * connections and pg-boss, which open new connections to that address, recover without a service restart. A
 * restart can fail for a while (old backends still hold the shared memory, the port is taken): retry with
 * capped backoff for as long as the service runs, and say so in the log.
 */
export interface Supervisor {
  /** The postmaster's pid now (undefined while it is being restarted). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  /** Starts a postmaster on the same data dir and port. */
  spawn: () => Postmaster;
  /** Resolves once it accepts connections; rejects if it exits first. */
  ready: (pm: Postmaster) => Promise<void>;
  port: number;
  log: (msg: string) => void;
  /** Backoff between failed restarts (default 100 ms doubling to 5 s). */
  retryDelayMs?: { min: number; max: number };
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null) =>
  signal !== null ? `signal ${signal}` : `exit code ${code}`;

export function supervise(first: Postmaster, opts: SuperviseOptions): Supervisor {
  const delays = opts.retryDelayMs ?? { min: 100, max: 5000 };
  let current: Postmaster | undefined = first;
  let launching: Postmaster | undefined;
  let stopping = false;
  let wake: () => void = () => undefined;
  let restarting: Promise<void> | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function restart(reason: string): Promise<void> {
    const since = Date.now();
    opts.log(
      `embedded postgres: the server exited unexpectedly (${reason}); restarting it on the same data dir and port ${opts.port}. Requests get 503 database_unavailable meanwhile.`,
    );
    for (let attempt = 0; !stopping; attempt++) {
      const pm = opts.spawn();
      launching = pm;
      try {
        await opts.ready(pm);
        launching = undefined;
        if (stopping) {
          await stopPostmaster(pm);
          return;
        }
        watch(pm);
        opts.log(
          `embedded postgres: restarted (pid ${pm.child.pid}) after ${Date.now() - since} ms; the service carries on without a restart`,
        );
        return;
      } catch (e) {
        launching = undefined;
        await stopPostmaster(pm);
        if (stopping) return;
        const delay = Math.min(delays.max, delays.min * 2 ** attempt);
        const why = (e instanceof Error ? e.message : String(e)).split('\n').filter(Boolean).slice(-1)[0];
        // Every failure up to the cap, then one line per 10 attempts, so a lasting failure does not flood the log.
        if (delay < delays.max || attempt % 10 === 0)
          opts.log(
            `embedded postgres: restart attempt ${attempt + 1} failed (${why}); retrying in ${delay} ms`,
          );
        await sleep(delay);
      }
    }
  }

  function watch(pm: Postmaster): void {
    current = pm;
    pm.child.once('exit', (code, signal) => {
      if (current === pm) current = undefined;
      if (stopping) return;
      const run: Promise<void> = restart(describeExit(code, signal)).finally(() => {
        if (restarting === run) restarting = undefined;
      });
      restarting = run;
    });
  }

  watch(first);
  return {
    get pid() {
      return current?.child.pid;
    },
    async stop() {
      stopping = true;
      wake();
      if (launching !== undefined) await stopPostmaster(launching);
      await restarting;
      if (current !== undefined) await stopPostmaster(current);
    },
  };
}

/** "Fast" shutdown (SIGINT): roll back open transactions, checkpoint, exit; a later start needs no recovery. */
export function stopPostmaster(pm: Postmaster): Promise<void> {
  return new Promise<void>((resolve) => {
    if (pm.child.exitCode !== null || pm.child.signalCode !== null) return resolve();
    pm.child.once('exit', () => resolve());
    pm.child.kill('SIGINT');
  });
}
