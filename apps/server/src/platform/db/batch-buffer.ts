/**
 * Rows recorded on a request path and written later, in batches (ADR 0042, after ADR 0008's API-key usage):
 * `add` only pushes onto an array, so the caller never waits for the database. A batch is written every
 * `flushMs`, or as soon as `batchRows` are waiting; one write runs at a time, in order.
 *
 * The bound: at most `maxBuffered` rows wait. A write that fails (the database is down, a failover) puts its rows
 * back at the front for the next tick, and until a write succeeds again only the timer retries, so an outage costs
 * one failed attempt per `flushMs`, not one per request. Past the bound the OLDEST rows are dropped and counted
 * (`onDrop`): the recorder never blocks its caller and never grows without bound, and what survives an outage is
 * the most recent `maxBuffered` rows.
 */
export interface BatchBuffer<T> {
  add(row: T): void;
  /** Writes everything buffered now; resolves when written, or failed and put back. */
  flush(): Promise<void>;
  /**
   * Stops the timer and writes what is left (one last attempt); what that attempt could not write, and every later
   * `add`, is dropped and counted.
   */
  stop(): Promise<void>;
  /** Rows waiting now. */
  readonly buffered: number;
  /** Rows dropped so far (buffer full, or added after stop). */
  readonly dropped: number;
}

export interface BatchBufferOptions<T> {
  /**
   * Writes one batch (at most `batchRows` rows). Returns the rows it could not write, to be retried (a write
   * that throws retries the whole batch).
   */
  write(rows: readonly T[]): Promise<readonly T[]>;
  flushMs: number;
  batchRows: number;
  maxBuffered: number;
  onError?: ((e: unknown) => void) | undefined;
  onDrop?: ((n: number) => void) | undefined;
  /** The timer (tests pass a manual one); default `setInterval`, unref'd so it never holds the process up. */
  every?: ((ms: number, tick: () => void) => () => void) | undefined;
}

const intervalTimer = (ms: number, tick: () => void): (() => void) => {
  const t = setInterval(tick, ms);
  t.unref();
  return () => clearInterval(t);
};

export function createBatchBuffer<T>(opts: BatchBufferOptions<T>): BatchBuffer<T> {
  const { batchRows, maxBuffered } = opts;
  if (!(batchRows >= 1 && maxBuffered >= batchRows)) {
    throw new Error(`batch buffer: need 1 <= batchRows (${batchRows}) <= maxBuffered (${maxBuffered})`);
  }
  let buffer: T[] = [];
  let dropped = 0;
  let stopped = false;
  let failing = false;
  // The write chain, and the flush queued behind it (at most one: requests while it waits share it, so the
  // chain never grows with the request rate while the database is slow or down).
  let writing: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;

  function drop(n: number): void {
    if (n <= 0) return;
    dropped += n;
    opts.onDrop?.(n);
  }

  function trim(): void {
    const excess = buffer.length - maxBuffered;
    if (excess > 0) {
      buffer = buffer.slice(excess);
      drop(excess);
    }
  }

  async function writeAll(): Promise<void> {
    const rows = buffer;
    buffer = [];
    const retry: T[] = [];
    for (let i = 0; i < rows.length; i += batchRows) {
      const chunk = rows.slice(i, i + batchRows);
      try {
        retry.push(...(await opts.write(chunk)));
      } catch (e) {
        opts.onError?.(e);
        retry.push(...chunk);
      }
    }
    failing = retry.length > 0;
    // Put back in front of what was added meanwhile, so the order (and which rows the bound drops) is by age.
    if (retry.length > 0) {
      buffer = retry.concat(buffer);
      trim();
    }
  }

  function flush(): Promise<void> {
    if (queued !== undefined) return queued;
    queued = writing.then(async () => {
      queued = undefined;
      if (buffer.length > 0) await writeAll();
    });
    writing = queued;
    return queued;
  }

  const cancel = (opts.every ?? intervalTimer)(opts.flushMs, () => void flush());

  return {
    add(row) {
      if (stopped) return drop(1);
      buffer.push(row);
      trim();
      if (buffer.length >= batchRows && !failing) void flush();
    },
    flush,
    async stop() {
      if (!stopped) {
        stopped = true;
        cancel();
      }
      await flush();
      drop(buffer.length);
      buffer = [];
    },
    get buffered() {
      return buffer.length;
    },
    get dropped() {
      return dropped;
    },
  };
}
