export { idempotencyKeyInvalid } from './idempotency.errors.ts';
export type { Claim, IdempotencyStore } from './idempotency.service.ts';
export { createIdempotencyStore, IDEMPOTENCY_PURGE_JOB } from './idempotency.service.ts';
export {
  IDEMPOTENCY_KEY_HEADER,
  KEY_MAX_LENGTH as IDEMPOTENCY_KEY_MAX_LENGTH,
  parseIdempotencyKey,
  REPLAYED_HEADER,
} from './idempotency-key.ts';
