/**
 * Errors are data: every failure the API can report has a stable code from this closed union, a title and an
 * HTTP status. The HTTP adapter renders them as RFC 9457 problem details; `docs/errors.md` is kept in sync by a
 * test. Adding a code here without a status fails the typecheck (the catalogue is a total Record).
 */
export type ErrorCode =
  | 'unauthenticated'
  | 'api_key_invalid'
  | 'api_key_expired'
  | 'forbidden'
  | 'not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'malformed_json'
  | 'conflict'
  | 'server_name_taken'
  | 'url_not_allowed'
  | 'discovery_in_progress'
  | 'capability_version_not_found'
  | 'job_not_found'
  | 'server_not_found'
  | 'rate_limited'
  | 'internal';

export interface ErrorInfo {
  readonly status: number;
  readonly title: string;
}

export const ERROR_CATALOG: Readonly<Record<ErrorCode, ErrorInfo>> = Object.freeze({
  unauthenticated: { status: 401, title: 'Authentication required' },
  api_key_invalid: { status: 401, title: 'Invalid API key' },
  api_key_expired: { status: 401, title: 'API key expired' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation_failed: { status: 422, title: 'Validation failed' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  conflict: { status: 409, title: 'Conflict' },
  server_name_taken: { status: 409, title: 'Server name already registered' },
  url_not_allowed: { status: 422, title: 'URL not allowed' },
  discovery_in_progress: { status: 409, title: 'Discovery already in progress' },
  capability_version_not_found: { status: 404, title: 'Capability version not found' },
  job_not_found: { status: 404, title: 'Job not found' },
  server_not_found: { status: 404, title: 'Server not found' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
});

/** One invalid field, addressed by JSON Pointer (RFC 6901) into the request. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
