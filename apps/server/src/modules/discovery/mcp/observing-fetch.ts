/**
 * Wraps the caller's fetch for one discovery run: every request gets the run's abort signal (so a
 * deadline or a cancel tears down in-flight requests and SSE streams), and the last unusable response and
 * the last thrown fetch error are kept for the classifier, because the SSE transport reports failures
 * only as flattened strings and the SDK does not always keep the HTTP status.
 */
import type { WireObservation } from './classify.ts';

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

export function createObservingFetch(base: typeof fetch, runSignal: AbortSignal): ObservingFetch {
  const observation: WireObservation = {};
  const observingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const signal = init?.signal ? AbortSignal.any([init.signal, runSignal]) : runSignal;
    try {
      const response = await base(input, { ...init, signal });
      observation.answered = true;
      const contentType = response.headers.get('content-type');
      if (isUnusableResponse(method, response.status, contentType)) {
        observation.badResponse = { method, status: response.status, contentType };
      }
      return response;
    } catch (error) {
      if (!runSignal.aborted) observation.fetchError = error;
      throw error;
    }
  };
  return { fetch: observingFetch as typeof fetch, observation };
}
