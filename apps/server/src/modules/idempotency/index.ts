export { IDEMPOTENCY_ERRORS } from './idempotency.errors.ts';
export type { IdempotencyModule } from './idempotency.module.ts';
export { createIdempotencyModule } from './idempotency.module.ts';
export type { IdempotencyTables } from './idempotency.schema.ts';
