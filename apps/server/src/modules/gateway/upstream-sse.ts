import type { GatewayServer } from './catalogue.ts';
import { LATEST_LEGACY_VERSION, LEGACY_VERSIONS } from './era.ts';
import { GATEWAY_CLIENT_INFO } from './handshake.ts';
import { sseEvents } from './sse-events.ts';
import { type Exchange, type Notify, ResultTooLarge, toExchange } from './upstream-http.ts';

/**
 * Calls to upstreams reached over the legacy HTTP+SSE transport (MCP 2024-11-05, basic/transports "HTTP with
 * SSE"; issue 11 points 6 and 10): the client GETs the SSE endpoint, the server's first event (`endpoint`)
 * names the URL to POST messages to, and every answer arrives on that one stream, matched by JSON-RPC id. One
 * initialized stream per server and process multiplexes every call to it (the 2025 sessions' pool, ADR 0040,
 * with one slot: the stream already carries concurrent requests); it is reopened when it drops (a restart, the
 * egress agent's body timeout on an idle stream) or when the upstream answers 404 for its message URL. All
 * traffic goes through the org's egress fetch with the server's own credentials, under the same per-call timeout
 * and result size limit as Streamable HTTP (ADR 0047).
 */
export interface SseConnection {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly key: string;
}

interface Pending {
  readonly resolve: (e: Exchange) => void;
  readonly progressToken: unknown;
  readonly onNotification: Notify | undefined;
}

interface Stream {
  readonly key: string;
  /** Where messages are POSTed (the `endpoint` event, resolved against the SSE URL; same origin only). */
  readonly postUrl: string;
  readonly pending: Map<number, Pending>;
  closed: boolean;
  close(why: Exchange): void;
}

export function createSseUpstreams(limits: { timeoutMs: number; maxResultBytes: number }) {
  const streams = new Map<string, Promise<Stream>>();
  let seq = 0;

  const post = (fetchFn: typeof fetch, s: Stream, conn: SseConnection, message: unknown) =>
    fetchFn(s.postUrl, {
      method: 'POST',
      headers: { ...conn.headers, 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(limits.timeoutMs),
    }).then(async (res) => {
      await res.body?.cancel().catch(() => {});
      return res.status;
    });

  /** Opens the stream and waits for its `endpoint` event. */
  async function open(fetchFn: typeof fetch, conn: SseConnection): Promise<Stream> {
    const abort = new AbortController();
    const res = await fetchFn(conn.url, {
      method: 'GET',
      headers: { ...conn.headers, accept: 'text/event-stream' },
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(limits.timeoutMs)]),
    }).catch((e: Error & { cause?: { code?: string } }) => {
      throw new StreamFailed(e.cause?.code ?? e.message);
    });
    if (res.status !== 200 || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      await res.body?.cancel().catch(() => {});
      throw new StreamFailed(`HTTP ${res.status} on the SSE endpoint`);
    }
    if (res.body === null) throw new StreamFailed('the SSE endpoint sent no body');
    const pending = new Map<number, Pending>();
    let endpoint: (u: string) => void = () => {};
    const endpointSeen = new Promise<string>((resolve, reject) => {
      endpoint = resolve;
      setTimeout(() => reject(new StreamFailed('no endpoint event')), limits.timeoutMs).unref();
    });
    const stream: Stream = {
      key: conn.key,
      postUrl: '',
      pending,
      closed: false,
      close(why) {
        if (stream.closed) return;
        stream.closed = true;
        abort.abort();
        for (const p of pending.values()) p.resolve(why);
        pending.clear();
      },
    };
    const onMessage = (data: string) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof msg.id === 'number' && ('result' in msg || 'error' in msg)) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        p?.resolve(toExchange(msg, Buffer.byteLength(data)));
      } else if (typeof msg.method === 'string' && msg.id === undefined) {
        // Progress is relayed to the call whose token it carries; other notifications have no caller here.
        const token = (msg.params as { progressToken?: unknown } | undefined)?.progressToken;
        for (const p of pending.values())
          if (token !== undefined && p.progressToken === token) p.onNotification?.(msg);
      } else if (typeof msg.method === 'string') {
        // Sampling, elicitation, roots: not relayed (ADR 0040); refused at once so the upstream does not wait.
        const refusal = {
          jsonrpc: '2.0',
          id: msg.id,
          error: {
            code: -32601,
            message: `The SprintConnect gateway does not relay ${msg.method} to its caller`,
          },
        };
        post(fetchFn, stream, conn, refusal).catch(() => {});
      }
    };
    const push = sseEvents(
      (type, data) => {
        if (type === 'endpoint') endpoint(data);
        else if (type === 'message') onMessage(data);
        return false;
      },
      {
        bytes: limits.maxResultBytes,
        exceeded: () => {
          throw new ResultTooLarge();
        },
      },
    );
    void (async () => {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let why: Exchange = { kind: 'failed', why: 'transport', detail: 'the SSE stream closed' };
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          push(decoder.decode(value, { stream: true }));
        }
      } catch (e) {
        if (e instanceof ResultTooLarge)
          why = {
            kind: 'failed',
            why: 'too_large',
            detail: `the result is larger than ${limits.maxResultBytes} bytes`,
          };
      } finally {
        reader.cancel().catch(() => {});
        stream.close(why);
      }
    })();
    const raw = await endpointSeen.catch((e) => {
      stream.close({ kind: 'failed', why: 'transport', detail: 'no endpoint event' });
      throw e;
    });
    const postUrl = new URL(raw, conn.url);
    // The server's credential goes with every POST: never to an origin other than the one registered.
    if (postUrl.origin !== new URL(conn.url).origin) {
      stream.close({ kind: 'failed', why: 'transport', detail: 'endpoint of another origin' });
      throw new StreamFailed(`the SSE endpoint named a message URL of another origin (${postUrl.origin})`);
    }
    Object.assign(stream, { postUrl: postUrl.href });
    return stream;
  }

  /** One request on the stream: POSTed, answered on the stream, bounded by the call's timeout. */
  async function request(
    fetchFn: typeof fetch,
    s: Stream,
    conn: SseConnection,
    method: string,
    params: Record<string, unknown>,
    onNotification?: Notify,
    cancel?: AbortSignal,
  ): Promise<Exchange | 'gone'> {
    // The stream ended between being handed out and this call: nothing would ever answer on it.
    if (s.closed) return 'gone';
    const id = ++seq;
    const progressToken = (params._meta as { progressToken?: unknown } | undefined)?.progressToken;
    const answer = new Promise<Exchange>((resolve) => {
      s.pending.set(id, { resolve, progressToken, onNotification });
    });
    const settle = (e: Exchange) => {
      const p = s.pending.get(id);
      s.pending.delete(id);
      p?.resolve(e);
    };
    const timer = setTimeout(
      () => settle({ kind: 'failed', why: 'timeout', detail: `no answer within ${limits.timeoutMs} ms` }),
      limits.timeoutMs,
    );
    const onCancel = () => {
      settle({ kind: 'failed', why: 'cancelled', detail: 'the caller went away' });
      const note = {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: id, reason: 'The caller of the gateway went away' },
      };
      post(fetchFn, s, conn, note).catch(() => {});
    };
    cancel?.addEventListener('abort', onCancel, { once: true });
    try {
      const status = await post(fetchFn, s, conn, { jsonrpc: '2.0', id, method, params }).catch(
        (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
      );
      if (status === 404) {
        s.close({ kind: 'status', status: 404 });
        return 'gone';
      }
      if (typeof status === 'string' || status < 200 || status > 299) {
        settle({
          kind: 'failed',
          why: 'transport',
          detail: typeof status === 'string' ? status : `HTTP ${status} on the message endpoint`,
        });
      }
      return await answer;
    } finally {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    }
  }

  async function initialized(fetchFn: typeof fetch, conn: SseConnection, server: GatewayServer) {
    const s = await open(fetchFn, conn);
    const asked = LEGACY_VERSIONS.includes(server.protocolVersion)
      ? server.protocolVersion
      : LATEST_LEGACY_VERSION;
    const init = await request(fetchFn, s, conn, 'initialize', {
      protocolVersion: asked,
      capabilities: {},
      clientInfo: GATEWAY_CLIENT_INFO,
    });
    if (init === 'gone' || init.kind !== 'result') {
      s.close({ kind: 'failed', why: 'transport', detail: 'initialize failed' });
      throw new StreamFailed(
        init === 'gone' ? 'the upstream forgot the session' : `initialize failed (${describe(init)})`,
      );
    }
    const status = await post(fetchFn, s, conn, { jsonrpc: '2.0', method: 'notifications/initialized' });
    if (status < 200 || status > 299) throw new StreamFailed(`HTTP ${status} on notifications/initialized`);
    return s;
  }

  function streamFor(fetchFn: typeof fetch, conn: SseConnection, server: GatewayServer): Promise<Stream> {
    const had = streams.get(server.id);
    if (had !== undefined) {
      const live = had.then((s) => (s.closed || s.key !== conn.key ? undefined : s));
      return live.then(
        (s) => s ?? fresh(),
        () => fresh(),
      );
    }
    return fresh();
    function fresh(): Promise<Stream> {
      const current = streams.get(server.id);
      if (current !== undefined && current !== had) return current;
      const p = initialized(fetchFn, conn, server);
      streams.set(server.id, p);
      p.catch(() => {
        if (streams.get(server.id) === p) streams.delete(server.id);
      });
      return p;
    }
  }

  return {
    async call(
      fetchFn: typeof fetch,
      conn: SseConnection,
      server: GatewayServer,
      method: string,
      params: Record<string, unknown>,
      onNotification?: Notify,
      cancel?: AbortSignal,
    ): Promise<Exchange> {
      for (let attempt = 0; attempt < 2; attempt++) {
        let s: Stream;
        try {
          s = await streamFor(fetchFn, conn, server);
        } catch (e) {
          return { kind: 'failed', why: 'transport', detail: (e as Error).message };
        }
        const out = await request(fetchFn, s, conn, method, params, onNotification, cancel);
        // The upstream forgot the stream's session (restart): open a new one and try once more.
        if (out !== 'gone') return out;
      }
      return { kind: 'failed', why: 'transport', detail: 'the upstream forgot the SSE session twice' };
    },
    close() {
      for (const p of streams.values())
        p.then((s) => s.close({ kind: 'failed', why: 'transport', detail: 'closed' })).catch(() => {});
      streams.clear();
    },
  };
}

const describe = (e: Exchange) =>
  e.kind === 'rpc_error' ? e.error.message : e.kind === 'failed' ? e.detail : `HTTP ${e.kind}`;

class StreamFailed extends Error {}
