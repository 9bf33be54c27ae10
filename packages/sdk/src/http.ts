import type { Problem } from '@sprintconnect/contracts';
import { SprintConnectConnectionError, SprintConnectError } from './errors.ts';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

export type Requester = <T>(method: string, path: string, opts?: RequestOptions) => Promise<T>;

/**
 * How to reach the API and who to be: an API key, or `accessToken`, called before each request for the current
 * OAuth access token (so a caller can refresh it when it expires).
 */
export type HttpOptions = {
  baseUrl: string;
  fetch?: typeof fetch;
} & ({ apiKey: string; accessToken?: never } | { accessToken: () => Promise<string>; apiKey?: never });

/** The SDK's single way out: JSON in, JSON out, every non-2xx reply turned into a SprintConnectError. */
export function createRequester(opts: HttpOptions): Requester {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? globalThis.fetch;
  return async <T>(method: string, path: string, ro: RequestOptions = {}): Promise<T> => {
    const url = base + path + queryString(ro.query);
    const token = opts.apiKey ?? (await opts.accessToken());
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json, application/problem+json',
    };
    const init: RequestInit = { method, headers };
    if (ro.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(ro.body);
    }
    if (ro.signal !== undefined) init.signal = ro.signal;
    let res: Response;
    try {
      res = await doFetch(url, init);
    } catch (e) {
      if (ro.signal?.aborted) throw ro.signal.reason;
      throw new SprintConnectConnectionError(base, e);
    }
    const text = await res.text();
    if (!res.ok) throw new SprintConnectError(toProblem(res, path, text));
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new SprintConnectError(unexpected(res, path, 'The server replied with a body that is not JSON.'));
    }
  };
}

/** Lists go comma-separated, the form the API's `tags` and `capability` parameters take. */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (typeof v === 'object') {
      if (v.length > 0) params.set(k, v.join(','));
    } else {
      params.set(k, String(v));
    }
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export function segment(id: string): string {
  return encodeURIComponent(id);
}

function toProblem(res: Response, path: string, text: string): Problem {
  try {
    const body = JSON.parse(text) as Partial<Problem> | null;
    if (
      body !== null &&
      typeof body === 'object' &&
      typeof body.title === 'string' &&
      typeof body.code === 'string'
    ) {
      return {
        type: body.type ?? 'about:blank',
        title: body.title,
        status: typeof body.status === 'number' ? body.status : res.status,
        detail: body.detail ?? '',
        instance: body.instance ?? path,
        code: body.code,
        requestId: body.requestId ?? '',
        ...(Array.isArray(body.errors) && { errors: body.errors }),
      };
    }
  } catch {
    // Not JSON: a proxy or load balancer answered; described below.
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return unexpected(res, path, snippet === '' ? `HTTP ${res.status} with an empty body.` : snippet);
}

function unexpected(res: Response, path: string, detail: string): Problem {
  return {
    type: 'about:blank',
    title: res.statusText === '' ? `HTTP ${res.status}` : res.statusText,
    status: res.status,
    detail,
    instance: path,
    code: 'unexpected_response',
    requestId: res.headers.get('x-request-id') ?? '',
  };
}
