import { uuidv7 } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { createBatchBuffer, writeByTenant } from '../../platform/db/index.ts';
import type { Metrics } from '../../platform/metrics/index.ts';
import { insertUsageRecords } from './usage.repo.ts';
import { toUsageRow, type UsageRecord, type UsageRow } from './usage-record.ts';

/**
 * The gateway's hook after each tool call (issue 11 point 8, ADR 0042). `record` checks and buffers the
 * record and returns: no I/O, no promise, nothing the request waits for. platform/db's batch buffer writes the
 * records in multi-row INSERTs, one per org and batch, every `flushMs` or at `batchRows`; at most `maxBuffered`
 * wait (the oldest go first past that, counted). `close()` writes what is left at stop.
 */
export interface UsageRecorder {
  record(r: UsageRecord): void;
  /** Writes what is buffered now (resolves when written, or failed and kept for the retry). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Records waiting to be written. */
  readonly buffered: number;
  /** Records lost so far, by why (also `sprintconnect_usage_records_dropped_total{reason}`). */
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/**
 * `overflow`: the buffer was full (the database was away longer than the bound lasts) or the service stopped;
 * `invalid`: the record could not be stored (no org, unknown outcome); `rejected`: PostgreSQL refused the rows
 * (their org was deleted meanwhile).
 */
export type DropReason = 'overflow' | 'invalid' | 'rejected';

export interface UsageRecorderOptions {
  /** How often buffered records are written (default 1000 ms). */
  flushMs?: number | undefined;
  /** Records per INSERT (default 500: 7,000 parameters; at most 4,000, as 14 parameters a row must stay below 65,535). */
  batchRows?: number | undefined;
  /** Most records waiting at once (default 100,000: about 60 MB, several minutes of a busy gateway). */
  maxBuffered?: number | undefined;
  /** Tests: a timer fired by hand (platform/db's BatchBufferOptions). */
  every?: ((ms: number, tick: () => void) => () => void) | undefined;
}

export function createUsageRecorder(
  deps: { db: Db; metrics: Metrics; onError?: ((e: unknown) => void) | undefined },
  opts: UsageRecorderOptions = {},
): UsageRecorder {
  const counter = deps.metrics.counter({
    name: 'sprintconnect_usage_records_dropped_total',
    help: 'Gateway usage records lost before they were written, by reason (ADR 0042).',
    labelNames: ['reason'] as const,
  });
  const dropped: Record<DropReason, number> = { overflow: 0, invalid: 0, rejected: 0 };
  const drop = (reason: DropReason, n: number): void => {
    dropped[reason] += n;
    counter.inc({ reason }, n);
  };
  const write = writeByTenant(deps.db, insertUsageRecords, {
    onError: deps.onError,
    onRejected: (n) => drop('rejected', n),
  });
  const buffer = createBatchBuffer<UsageRow>({
    write(rows) {
      for (const r of rows) r.id ??= uuidv7(r.at.getTime());
      return write(rows);
    },
    flushMs: opts.flushMs ?? 1000,
    batchRows: Math.min(opts.batchRows ?? 500, 4000),
    maxBuffered: opts.maxBuffered ?? 100_000,
    onError: deps.onError,
    onDrop: (n) => drop('overflow', n),
    every: opts.every,
  });
  return {
    record(r) {
      const row = toUsageRow(r);
      if (row === undefined) drop('invalid', 1);
      else buffer.add(row);
    },
    flush: () => buffer.flush(),
    close: () => buffer.stop(),
    get buffered() {
      return buffer.buffered;
    },
    dropped,
  };
}
