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
  /**
   * Hands each body chunk to `onChunk` until the body ends or `onChunk` returns true (the rest is dropped);
   * rejects with what `onChunk` throws (the body is then destroyed) or with the stream's own error.
   */
  read(onChunk: (chunk: Uint8Array) => boolean): Promise<void>;
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
        read: (onChunk) => readNodeBody(res.body, onChunk),
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
      read: (onChunk) => readWebBody(res.body, onChunk),
      discard: () => {
        res.body?.cancel().catch(() => {});
      },
    };
  };
}

/** How long the rest of an answered SSE stream may take to end before its connection is dropped. */
const DUMP_MS = 1_000;

type NodeBody = Awaited<ReturnType<RequestFunction>>['body'];

/**
 * Events rather than `for await`: the async iterator creates (and stack-traces) an AbortError each time it is
 * left, about 2% of a proxied call's CPU (bench/gateway profile). Once the answer is found the rest is dumped,
 * not destroyed, so the keep-alive connection survives an SSE stream the upstream closes after its response
 * (MCP transports), for at most DUMP_MS.
 */
function readNodeBody(body: NodeBody, onChunk: (chunk: Uint8Array) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      let stop: boolean;
      try {
        stop = onChunk(chunk);
      } catch (e) {
        done();
        // undici destroys an unfinished body with an AbortError event; nobody listens for it any more.
        body.on('error', () => {});
        body.destroy();
        reject(e);
        return;
      }
      if (stop) {
        done();
        // The dump ends by the stream's end, its limit or the request's signal; the last two destroy the
        // stream with an error that nobody else listens for any more.
        body.on('error', () => {});
        // The exchange's timer is cleared once it returns: an upstream that keeps the stream open gets a second.
        const bound = setTimeout(() => body.destroy(), DUMP_MS);
        body.once('close', () => clearTimeout(bound));
        body.dump().catch(() => {});
        resolve();
      }
    };
    const onEnd = () => {
      done();
      resolve();
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

async function readWebBody(
  body: ReadableStream<Uint8Array> | null,
  onChunk: (chunk: Uint8Array) => boolean,
): Promise<void> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || onChunk(value)) return;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
