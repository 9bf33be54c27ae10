/**
 * Errors discovery raises itself. They never leave `discoverServer` (it returns failures as data); they
 * exist so the classifier can tell our own deadlines and checks apart from whatever the SDK or fetch threw.
 */
import type { DiscoveryStage } from './types.ts';

/** A discovery budget ran out: one stage's (`connectMs`/`listMs`) or the whole run's (`totalMs`). */
export class DiscoveryTimeoutError extends Error {
  readonly stage: DiscoveryStage | 'total';
  readonly timeoutMs: number;

  constructor(stage: DiscoveryStage | 'total', timeoutMs: number) {
    super(
      stage === 'total'
        ? `discovery took longer than ${timeoutMs} ms`
        : `${stage} took longer than ${timeoutMs} ms`,
    );
    this.name = 'DiscoveryTimeoutError';
    this.stage = stage;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted discovery through its `signal` (e.g. the worker is shutting down). */
export class DiscoveryCancelledError extends Error {
  constructor(reason: unknown) {
    // The reason stays the cause: an AbortSignal.timeout() reason makes this a timeout, not a cancel.
    super(`discovery was cancelled by the caller${reason === undefined ? '' : `: ${String(reason)}`}`, {
      cause: reason,
    });
    this.name = 'DiscoveryCancelledError';
  }
}

/**
 * The server's pagination did not terminate (a cursor came back twice, or too many pages): MCP spec,
 * server/utilities/pagination requires cursors that advance through a finite list.
 */
export class PaginationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaginationError';
  }
}

/**
 * The server (or something between) closed the connection in the middle of a response: the answer was cut off,
 * which is neither a timeout nor a protocol error (issue 8, point 18).
 */
export class ConnectionClosedError extends Error {
  constructor(cause: unknown) {
    super('the connection was closed in the middle of a response', { cause });
    this.name = 'ConnectionClosedError';
  }
}

/**
 * The server answered 429 Too Many Requests (RFC 6585 §4). The run stops there: going on (the SDK would fall
 * back to another protocol revision and ask again at once) would ignore the server's Retry-After.
 */
export class UpstreamRateLimitedError extends Error {
  readonly retryAfterSeconds: number | undefined;

  constructor(retryAfterSeconds: number | undefined) {
    super(
      retryAfterSeconds === undefined
        ? 'the server answered HTTP 429 Too Many Requests'
        : `the server answered HTTP 429 Too Many Requests; retry after ${retryAfterSeconds} s`,
    );
    this.name = 'UpstreamRateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
