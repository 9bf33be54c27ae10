import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { CounterStore } from './lease-limiter.ts';

/**
 * The shared counters: rate-limiter-flexible's Postgres store (one upsert per reservation, on the table created
 * by migration 004, so `tableCreated: true`). When Postgres cannot be reached, its insurance limiter counts in
 * this process's memory instead, so a database outage degrades the limit to per-process rather than failing
 * every request that reaches the limiter.
 */
export function postgresCounterStore(opts: {
  pool: pg.Pool;
  /** The limit and window; the library needs them, although reservations read only the counter. */
  points: number;
  windowSeconds: number;
  keyPrefix: string;
  tableName?: string;
}): CounterStore {
  const limiter = new RateLimiterPostgres({
    storeClient: opts.pool,
    storeType: 'pool',
    tableName: opts.tableName ?? 'rate_limits',
    tableCreated: true,
    keyPrefix: opts.keyPrefix,
    points: opts.points,
    duration: opts.windowSeconds,
    insuranceLimiter: new RateLimiterMemory({
      keyPrefix: opts.keyPrefix,
      points: opts.points,
      duration: opts.windowSeconds,
    }),
  });
  return {
    async add(key, points) {
      // `penalty` adds without judging: the lease limiter decides from the total what this slice was granted.
      const r: RateLimiterRes = await limiter.penalty(key, points);
      return { total: r.consumedPoints, msBeforeReset: r.msBeforeNext };
    },
  };
}
