/**
 * Migration 004: rate-limiter-flexible's counters, in the library's layout (it inserts positionally). Named in
 * SQL only by the library, through the store (postgres-store.ts); typed here so the map of owners is whole.
 */
export interface RateLimitsTable {
  key: string;
  points: number;
  /** bigint, milliseconds since the epoch. */
  expire: number | null;
}

/** The tables the shared rate limiters (platform/ratelimit) own: no module names them (ADR 0035). */
export interface RateLimitTables {
  rate_limits: RateLimitsTable;
}
