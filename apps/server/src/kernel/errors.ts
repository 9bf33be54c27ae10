import type { Challenge, RateLimitState } from './error-hints.ts';

/**
 * Errors are data (ADR 0034): every failure the API reports is an AppError with a stable code from a closed
 * union. This file holds the machinery and the few codes every part of the server raises; a module declares its
 * own codes in its `<module>.errors.ts` (a catalogue and an AppError subclass closed over it), its door exports
 * the catalogue, and the HTTP adapter assembles them all (http/error-catalogue.ts) and alone turns a code into a
 * status and headers (http/problem.ts). `docs/errors.md` is kept in sync with the assembly by a test.
 */
export interface ErrorInfo {
  readonly status: number;
  readonly title: string;
}

/** A catalogue of codes: each with its HTTP status and title (its longer text is in docs/errors.md). */
export type ErrorCatalogue = Readonly<Record<string, ErrorInfo>>;

/** Declares a catalogue; its keys become the owner's closed code union (`CodeOf<typeof CATALOGUE>`). */
export const defineErrors = <const T extends Record<string, ErrorInfo>>(catalogue: T): Readonly<T> =>
  Object.freeze({ ...catalogue });

export type CodeOf<T> = Extract<keyof T, string>;

/**
 * The codes any module may raise: what is not about one module's resources or rules. Keep this list short
 * (architecture.test.ts allows 15): a code a single module raises belongs in that module's catalogue.
 */
export const GENERIC_ERRORS = defineErrors({
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  validation_failed: { status: 422, title: 'Validation failed' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
});

export type GenericErrorCode = CodeOf<typeof GENERIC_ERRORS>;

/** One invalid field, addressed by JSON Pointer (RFC 6901) into the request. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
  /** Where the pointer points; `body` when omitted. */
  readonly location?: 'body' | 'query' | 'path' | 'header';
  /** Policy text problems (policy_invalid): the policy's name and the 1-based line and column in its text. */
  readonly policy?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface ErrorExtra {
  errors?: readonly FieldError[] | undefined;
  /** Where the client can go next (RFC 9457 extension member), e.g. `login` to sign in again. */
  links?: Readonly<Record<string, string>> | undefined;
  /** Extension members of the problem (RFC 9457 §3.2), e.g. `quota` on quota_exceeded. */
  extensions?: Readonly<Record<string, unknown>> | undefined;
  /** The authentication challenge of a 401 or 403 (rendered as `WWW-Authenticate`). */
  challenge?: Challenge | undefined;
  /** How long to wait before retrying (rendered as `Retry-After`, RFC 9110 §10.2.3). */
  retryAfterSeconds?: number | undefined;
  /** The limits the request was held to (rendered as the RateLimit fields; a refused one sets Retry-After). */
  rateLimits?: readonly RateLimitState[] | undefined;
  cause?: unknown;
}

/**
 * A failure as data. `new AppError(code, ...)` takes a generic code; a module raises its own codes through its
 * subclass (`class RegistryError extends AppError<RegistryErrorCode> {}`), so a code outside the owner's union
 * is a type error (`NoInfer`: the code never widens the union it is checked against). As a type, `AppError` is
 * an error with a generic code and `AppError<string>` any error (what `isAppError` narrows to).
 */
export class AppError<C extends string = never> extends Error {
  readonly code: C | GenericErrorCode;
  readonly detail: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly links: Readonly<Record<string, string>> | undefined;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
  readonly challenge: Challenge | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly rateLimits: readonly RateLimitState[] | undefined;

  constructor(code: NoInfer<C> | GenericErrorCode, detail: string, extra: ErrorExtra = {}) {
    super(detail, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.errors = extra.errors;
    this.links = extra.links;
    this.extensions = extra.extensions;
    this.challenge = extra.challenge;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.rateLimits = extra.rateLimits;
  }

  /** The same failure (same class and code) with some of its data replaced, to raise it again for another audience. */
  with(changes: Pick<ErrorExtra, 'links' | 'challenge'>): this {
    const Same = this.constructor as new (
      code: C | GenericErrorCode,
      detail: string,
      extra: ErrorExtra,
    ) => this;
    return new Same(this.code, this.detail, {
      errors: this.errors,
      links: this.links,
      extensions: this.extensions,
      challenge: this.challenge,
      retryAfterSeconds: this.retryAfterSeconds,
      rateLimits: this.rateLimits,
      cause: this.cause,
      ...changes,
    });
  }
}

export const isAppError = (e: unknown): e is AppError<string> => e instanceof AppError;
