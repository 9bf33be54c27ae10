export type { Attempt, AttemptLimiter } from './attempt-limiter.ts';
export { createAttemptLimiter } from './attempt-limiter.ts';
export type { Admission, CounterStore, LeaseLimiter } from './lease-limiter.ts';
export { createLeaseLimiter } from './lease-limiter.ts';
export { postgresCounterStore } from './postgres-store.ts';
export type { RateLimitTables } from './ratelimit.schema.ts';
export { rateLimitState } from './state.ts';
