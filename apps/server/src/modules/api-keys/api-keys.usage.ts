import { uuidv7 } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { insertUsage, type UsageRow } from './api-keys.repo.ts';

/**
 * Every use of an API key, recorded off the request path: uses collect in memory and are written in batches
 * (every `flushMs`, or as soon as `batchRows` are waiting), one transaction per org that inserts the rows and
 * moves each key's `last_used_at`. `stop()` writes what is left (compose's stop, on SIGTERM).
 *
 * If the database cannot take a batch, its rows go back to the buffer for the next try; past `maxBuffered`
 * rows the oldest are dropped and counted, so an outage costs usage records, never memory or latency.
 */
export interface UsageEvent {
  orgId: string;
  keyId: string;
  method: string;
  route: string;
  status: number;
  requestId: string | null;
  at: Date;
}

export interface UsageRecorder {
  record(e: UsageEvent): void;
  /** Writes everything buffered now; resolves when written (or failed and re-buffered). */
  flush(): Promise<void>;
  stop(): Promise<void>;
  /** Rows dropped because the buffer was full while the database refused batches. */
  readonly dropped: number;
}

export function createUsageRecorder(deps: {
  db: Db;
  flushMs?: number;
  batchRows?: number;
  maxBuffered?: number;
  onError?: (e: unknown) => void;
}): UsageRecorder {
  const flushMs = deps.flushMs ?? 1000;
  const batchRows = deps.batchRows ?? 500;
  const maxBuffered = deps.maxBuffered ?? 50_000;
  let buffer: UsageRow[] = [];
  let dropped = 0;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;

  async function write(rows: UsageRow[]): Promise<void> {
    const byOrg = new Map<string, UsageRow[]>();
    for (const r of rows) {
      const list = byOrg.get(r.orgId);
      if (list === undefined) byOrg.set(r.orgId, [r]);
      else list.push(r);
    }
    for (const [orgId, list] of byOrg) {
      for (let i = 0; i < list.length; i += batchRows) {
        const chunk = list.slice(i, i + batchRows);
        try {
          await withTenant(deps.db, orgId, (tx) => insertUsage(tx, orgId, chunk));
        } catch (e) {
          deps.onError?.(e);
          requeue(chunk);
        }
      }
    }
  }

  function requeue(rows: UsageRow[]): void {
    buffer = rows.concat(buffer);
    trim();
  }

  function trim(): void {
    const excess = buffer.length - maxBuffered;
    if (excess > 0) {
      buffer = buffer.slice(excess);
      dropped += excess;
    }
  }

  function flush(): Promise<void> {
    // One batch at a time, in order: a flush waits for the one before it, then takes what is buffered.
    writing = writing.then(async () => {
      if (buffer.length === 0) return;
      const rows = buffer;
      buffer = [];
      await write(rows);
    });
    return writing;
  }

  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();

  return {
    record(e) {
      if (stopped) return;
      buffer.push({
        orgId: e.orgId,
        id: uuidv7(e.at.getTime()),
        keyId: e.keyId,
        usedAt: e.at,
        method: e.method,
        route: e.route,
        status: e.status,
        requestId: e.requestId,
      });
      trim();
      if (buffer.length >= batchRows) void flush();
    },
    flush,
    async stop() {
      if (stopped) return writing;
      stopped = true;
      clearInterval(timer);
      await flush();
    },
    get dropped() {
      return dropped;
    },
  };
}
