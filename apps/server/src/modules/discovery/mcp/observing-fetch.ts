/**
 * Wraps the caller's fetch for one discovery run: every request gets the run's abort signal (so a
 * deadline or a cancel tears down in-flight requests and SSE streams), and the last unusable response and
 * the last thrown fetch error are kept for the classifier, because the SSE transport reports failures
 * only as flattened strings and the SDK does not always keep the HTTP status. Response bodies are watched
 * too: a body that breaks off (the peer closed the connection mid-stream) is recorded, and when it was the
 * answer to a request (a POST) the run is stopped at once, instead of waiting for the answer until a timeout.
 * A 429 stops the run too, so nothing asks the server again before its Retry-After (issue 8, point 18).
 */
import type { WireObservation } from './classify.ts';
import { ConnectionClosedError, UpstreamRateLimitedError } from './errors.ts';
import { parseRetryAfter } from './retry-after.ts';

/** Content types an MCP HTTP server answers with (MCP spec, basic/transports). */
const MCP_CONTENT_TYPES = ['application/json', 'text/event-stream'];

export interface ObservingFetch {
  readonly fetch: typeof fetch;
  readonly observation: WireObservation;
}

/**
 * `true` when a response cannot be part of a working MCP exchange. A 405 to GET or DELETE is not: a
 * Streamable HTTP server MAY refuse the standalone SSE stream and session termination that way.
 */
export function isUnusableResponse(method: string, status: number, contentType: string | null): boolean {
  if (status === 405 && (method === 'GET' || method === 'DELETE')) return false;
  if (status < 200 || status >= 300) return true;
  if (status === 202 || status === 204 || contentType === null) return false;
  const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return !MCP_CONTENT_TYPES.includes(essence);
}

/** Statuses whose responses never have a body (Fetch standard, "null body status"). */
const NULL_BODY: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/** The same response, with a body that reports a read error (not one caused by our own abort) to `onBroken`. */
function watchBody(response: Response, onBroken: (error: unknown) => void): Response {
  if (response.body === null || NULL_BODY.has(response.status)) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        onBroken(error);
        controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const watched = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // What the SDK reads to judge redirects; a constructed Response has neither.
  Object.defineProperty(watched, 'url', { value: response.url });
  Object.defineProperty(watched, 'redirected', { value: response.redirected });
  return watched;
}

/** Fetch §4.4 redirect statuses: the MCP client asks for them unfollowed ('manual') and follows same-origin ones. */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Where a redirect pointed, as origins and a query-less URL: paths may carry tokens, queries often do. */
function redirectOf(input: string | URL | Request, response: Response, location: string) {
  const from = new URL(response.url || (input instanceof Request ? input.url : String(input)));
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return { status: response.status, from: from.origin, location };
  }
  target.search = '';
  target.hash = '';
  return { status: response.status, from: from.origin, location: target.href };
}

export function createObservingFetch(
  base: typeof fetch,
  runSignal: AbortSignal,
  /** Stops the run: a response broke off mid-stream (it will never be answered), or the server said 429. */
  stopRun?: (reason: Error) => void,
): ObservingFetch {
  const observation: WireObservation = {};
  const observingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const signal = init?.signal ? AbortSignal.any([init.signal, runSignal]) : runSignal;
    try {
      const response = await base(input, { ...init, signal });
      observation.answered = true;
      const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null;
      if (location === null) delete observation.unfollowedRedirect;
      else observation.unfollowedRedirect = redirectOf(input, response, location);
      const contentType = response.headers.get('content-type');
      if (isUnusableResponse(method, response.status, contentType)) {
        const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), Date.now());
        observation.badResponse = {
          method,
          status: response.status,
          contentType,
          ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        };
        if (response.status === 429) stopRun?.(new UpstreamRateLimitedError(retryAfterSeconds));
      }
      return watchBody(response, (error) => {
        if (runSignal.aborted) return;
        observation.streamError = error;
        if (method === 'POST') stopRun?.(new ConnectionClosedError(error));
      });
    } catch (error) {
      delete observation.unfollowedRedirect;
      if (!runSignal.aborted) observation.fetchError = error;
      throw error;
    }
  };
  return { fetch: observingFetch as typeof fetch, observation };
}
