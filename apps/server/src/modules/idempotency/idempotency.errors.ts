import { AppError } from '../../kernel/index.ts';

/** 400: the header is malformed (draft-ietf-httpapi-idempotency-key-header-07 §2.7 answers header errors with 400). */
export const idempotencyKeyInvalid = (detail: string) =>
  new AppError('idempotency_key_invalid', detail, {
    errors: [{ location: 'header', pointer: '/idempotency-key', detail }],
  });

/** 422 (draft §2.7): the key was used for another request; the caller's bug, not a retry. */
export const idempotencyKeyReused = (first: { method: string; path: string }) =>
  new AppError(
    'idempotency_key_reused',
    `This Idempotency-Key was used in the last 24 hours for a different request (first ${first.method} ` +
      `${first.path}, with another method, path or body). Use a new key for a new request; nothing was done.`,
  );

/** 409 (draft §2.7): the first request with this key is still running; its answer will be replayed. */
export const idempotencyKeyInFlight = (retryAfterSeconds: number) =>
  new AppError(
    'idempotency_key_in_flight',
    'A request with this Idempotency-Key is still being processed. Retry after the Retry-After delay to ' +
      'receive its response; nothing was done by this one.',
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );
