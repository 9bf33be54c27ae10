import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

export const IDEMPOTENCY_ERRORS = defineErrors({
  idempotency_key_invalid: { status: 400, title: 'Invalid Idempotency-Key' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused for another request' },
  idempotency_key_in_flight: { status: 409, title: 'Request with this Idempotency-Key in progress' },
});

export type IdempotencyErrorCode = CodeOf<typeof IDEMPOTENCY_ERRORS>;

export class IdempotencyError extends AppError<IdempotencyErrorCode> {}

/** 400: the header is malformed (draft-ietf-httpapi-idempotency-key-header-07 §2.7 answers header errors with 400). */
export const idempotencyKeyInvalid = (detail: string) =>
  new IdempotencyError('idempotency_key_invalid', detail, {
    errors: [{ location: 'header', pointer: '/idempotency-key', detail }],
  });

/** 422 (draft §2.7): the key was used for another request; the caller's bug, not a retry. */
export const idempotencyKeyReused = (first: { method: string; path: string }) =>
  new IdempotencyError(
    'idempotency_key_reused',
    `This Idempotency-Key was used in the last 24 hours for a different request (first ${first.method} ` +
      `${first.path}, with another method, path or body). Use a new key for a new request; nothing was done.`,
  );

/** 409 (draft §2.7): the first request with this key is still running; its answer will be replayed. */
export const idempotencyKeyInFlight = (retryAfterSeconds: number) =>
  new IdempotencyError(
    'idempotency_key_in_flight',
    'A request with this Idempotency-Key is still being processed. Retry after the Retry-After delay to ' +
      'receive its response; nothing was done by this one.',
    { retryAfterSeconds },
  );
