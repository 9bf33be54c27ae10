import type { RequestFunction } from '../../platform/egress/index.ts';

/**
 * The one HTTP step of an upstream exchange (`upstream-http.ts`): POST a JSON-RPC message, get the status, the
 * headers and the body as chunks. Two doors behind it: the org's lean egress `request` when the fetch handed to
 * the upstreams carries one (the gateway's own wiring), else the egress `fetch` itself. Both go through the same
 * egress checks and dispatcher; the lean one skips the WHATWG Request/Response/Headers and web streams, which
 * cost about two thirds of a proxied round trip's CPU (ADR 0040, "The hot path, measured").
 */
export interface PostAnswer {
  readonly status: number;
  header(name: string): string | undefined;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Drop an unread body (a 202, a 404, a notification's answer). */
  discard(): void;
}

export type Post = (
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
) => Promise<PostAnswer>;

const LEAN: unique symbol = Symbol('sprintconnect.gateway.leanRequest');

type WithLean = typeof fetch & { [LEAN]?: RequestFunction };

/**
 * A fetch that also carries the same scope's lean `request`, so the upstreams (which take a fetch per org) need
 * not change to use it; anything else that uses the fetch (a GET stream) still can.
 */
export function withLeanRequest(fetchFn: typeof fetch, request: RequestFunction): typeof fetch {
  const both: WithLean = (input, init) => fetchFn(input, init);
  both[LEAN] = request;
  return both;
}

const NO_CHUNKS: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };

/** The POST step for a fetch: its lean `request` when it carries one, the fetch otherwise. */
export function postVia(fetchFn: typeof fetch): Post {
  const request = (fetchFn as WithLean)[LEAN];
  if (request !== undefined) {
    return async (url, headers, body, signal) => {
      const res = await request(url, { method: 'POST', headers, body, signal });
      return {
        status: res.status,
        header: (name) => {
          const v = res.headers[name];
          return Array.isArray(v) ? v[0] : v;
        },
        chunks: res.body,
        discard: () => {
          // Reading the rest (bounded by undici) keeps the keep-alive connection; destroying would close it.
          res.body.dump().catch(() => {});
        },
      };
    };
  }
  return async (url, headers, body, signal) => {
    const res = await fetchFn(url, { method: 'POST', headers, body, signal });
    return {
      status: res.status,
      header: (name) => res.headers.get(name) ?? undefined,
      chunks: res.body ?? NO_CHUNKS,
      discard: () => {
        res.body?.cancel().catch(() => {});
      },
    };
  };
}
