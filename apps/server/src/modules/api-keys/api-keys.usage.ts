import { uuidv7 } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { createBatchBuffer, writeByTenant } from '../../platform/db/index.ts';
import { insertUsage, type UsageRow } from './api-keys.usage.repo.ts';

/**
 * Every use of an API key, recorded off the request path: platform/db's batch buffer (ADR 0042) collects the
 * uses and writes them in batches, one transaction per org that inserts the rows and moves each key's
 * `last_used_at`. `stop()` writes what is left (compose's stop, on SIGTERM). An outage costs usage records past
 * `maxBuffered`, never memory or latency.
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
  const buffer = createBatchBuffer<UsageRow>({
    write: writeByTenant(deps.db, insertUsage, { onError: deps.onError }),
    flushMs: deps.flushMs ?? 1000,
    batchRows: deps.batchRows ?? 500,
    maxBuffered: deps.maxBuffered ?? 50_000,
    onError: deps.onError,
  });
  return {
    record(e) {
      buffer.add({
        orgId: e.orgId,
        id: uuidv7(e.at.getTime()),
        keyId: e.keyId,
        usedAt: e.at,
        method: e.method,
        route: e.route,
        status: e.status,
        requestId: e.requestId,
      });
    },
    flush: () => buffer.flush(),
    stop: () => buffer.stop(),
    get dropped() {
      return buffer.dropped;
    },
  };
}
