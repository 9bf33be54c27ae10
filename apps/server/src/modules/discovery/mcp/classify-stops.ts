/**
 * Failures the run stopped itself for (observing-fetch.ts): the server answered 429, or cut an answer off. They
 * come first, whatever they caused downstream (an SDK error, a timeout), because they are what happened
 * (issue 8, point 18).
 */
import { ConnectionClosedError, UpstreamRateLimitedError } from './errors.ts';
import type { DiscoveryFailureCode } from './types.ts';

interface Found {
  code: DiscoveryFailureCode;
  message: string;
  retryAfterSeconds?: number;
}

/** The first errno-style code along `error`'s causes, e.g. undici's UND_ERR_SOCKET under "terminated". */
function causeCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 8; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function fromRunStop(chain: readonly object[], host: string): Found | undefined {
  const limited = chain.find((e) => e instanceof UpstreamRateLimitedError);
  if (limited !== undefined) {
    const after = limited.retryAfterSeconds;
    return {
      code: 'upstream_rate_limited',
      message: `${host} answered HTTP 429 Too Many Requests`,
      ...(after === undefined ? {} : { retryAfterSeconds: after }),
    };
  }
  const closed = chain.find((e) => e instanceof ConnectionClosedError);
  if (closed !== undefined) {
    const code = causeCode(closed.cause);
    return {
      code: 'connection_closed',
      message: `${host} closed the connection in the middle of a response${code === undefined ? '' : ` (${code})`}`,
    };
  }
  return undefined;
}

/** An upstream 429 carries the server's Retry-After (RFC 9110 §10.2.3), when one was seen on that response. */
export function withRetryAfter<F extends Found>(
  found: F,
  bad: { status: number; retryAfterSeconds?: number } | undefined,
): F {
  if (found.code !== 'upstream_rate_limited') return found;
  const after = found.retryAfterSeconds ?? (bad?.status === 429 ? bad.retryAfterSeconds : undefined);
  if (after === undefined) return found;
  return { ...found, message: `${found.message}; retry after ${after} s`, retryAfterSeconds: after };
}
