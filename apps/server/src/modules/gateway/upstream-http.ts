import type { RpcError } from './jsonrpc.ts';
import { sseEvents } from './sse-events.ts';
import { type PostAnswer, postVia } from './upstream-post.ts';

/**
 * One JSON-RPC exchange with an upstream over Streamable HTTP (MCP basic/transports): POST the message, read
 * the answer as JSON or as an SSE stream up to the response with our id, never more than `maxBytes`.
 */
export type Exchange =
  | { readonly kind: 'result'; readonly result: unknown; readonly bytes: number; readonly sessionId?: string }
  | { readonly kind: 'rpc_error'; readonly error: RpcError; readonly bytes: number }
  /** 202 (a notification was accepted) or 404 (a session the upstream forgot). */
  | { readonly kind: 'status'; readonly status: number }
  | {
      readonly kind: 'failed';
      readonly why: 'timeout' | 'too_large' | 'transport' | 'cancelled';
      readonly detail: string;
    };

export class ResultTooLarge extends Error {}

/** Sees each notification the upstream sends on the response stream before its answer (progress, logging). */
export type Notify = (notification: Readonly<Record<string, unknown>>) => void;

/**
 * Puts a request of the upstream to its client (elicitation, sampling) to the gateway's caller and resolves with
 * the caller's JSON-RPC response (`result` or `error`); undefined when this caller cannot be asked (refused).
 */
export type AskCaller = (
  request: Readonly<Record<string, unknown>>,
) => Promise<Readonly<Record<string, unknown>>> | undefined;

async function readCapped(res: PostAnswer, maxBytes: number, onText: (t: string) => boolean) {
  const decoder = new TextDecoder();
  let bytes = 0;
  await res.read((value) => {
    bytes += value.byteLength;
    if (bytes > maxBytes) throw new ResultTooLarge();
    return onText(decoder.decode(value, { stream: true }));
  });
  return bytes;
}

/** The JSON-RPC response with `id` from an SSE body; notifications and requests before it go to their handlers. */
function sseScanner(
  id: string | number,
  onNotification?: Notify,
  onRequest?: (request: Readonly<Record<string, unknown>>) => void,
) {
  let found: Record<string, unknown> | undefined;
  const push = sseEvents((_type, data) => {
    if (data === '') return false;
    try {
      const msg = JSON.parse(data) as Record<string, unknown>;
      if (msg.id === id && ('result' in msg || 'error' in msg)) {
        found = msg;
        return true;
      }
      if (typeof msg.method === 'string') {
        if (msg.id === undefined) onNotification?.(msg);
        else onRequest?.(msg);
      }
    } catch {
      // An event that is not JSON is not our answer; keep reading.
    }
    return false;
  });
  return { push, found: () => found };
}

export function toExchange(
  msg: Record<string, unknown> | undefined,
  bytes: number,
  sessionId?: string,
): Exchange {
  if (msg === undefined) return { kind: 'failed', why: 'transport', detail: 'the upstream sent no response' };
  if ('error' in msg && typeof msg.error === 'object' && msg.error !== null) {
    const e = msg.error as Record<string, unknown>;
    return {
      kind: 'rpc_error',
      bytes,
      error: {
        code: typeof e.code === 'number' ? e.code : -32603,
        message: typeof e.message === 'string' ? e.message : 'upstream error',
        ...(e.data === undefined ? {} : { data: e.data }),
      },
    };
  }
  return { kind: 'result', result: msg.result, bytes, ...(sessionId === undefined ? {} : { sessionId }) };
}

export async function exchange(
  fetchFn: typeof fetch,
  url: string,
  headers: Record<string, string>,
  message: { id?: string | number; [k: string]: unknown },
  opts: {
    timeoutMs: number;
    maxBytes: number;
    onNotification?: Notify | undefined;
    /** The caller went away: stop waiting (the caller of `exchange` tells the upstream). */
    cancel?: AbortSignal | undefined;
    askCaller?: AskCaller | undefined;
  },
): Promise<Exchange> {
  // One controller and a plain timer: AbortSignal.timeout and AbortSignal.any (weak refs, a finalization
  // registry) per exchange were ~1.6% of the gateway's CPU (bench/gateway profile).
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(
    () => controller.abort(new DOMException('timeout', 'TimeoutError')),
    opts.timeoutMs,
  );
  const cancel = opts.cancel;
  const onCancel = () => controller.abort(cancel?.reason);
  if (cancel?.aborted === true) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  const post = postVia(fetchFn);
  try {
    const res = await post(
      url,
      { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      JSON.stringify(message),
      signal,
    );
    const sessionId = res.header('mcp-session-id');
    const type = res.header('content-type') ?? '';
    if (res.status === 202 || res.status === 204 || res.status === 404 || message.id === undefined) {
      res.discard();
      return { kind: 'status', status: res.status };
    }
    if (type.includes('text/event-stream')) {
      // A request of the upstream to its client (sampling, elicitation) is put to our caller when it can be
      // asked (ADR 0046) and its response is the upstream's answer; any other (roots, or a caller that cannot be
      // asked) is answered at once with "method not found", as MCP has a client answer a method it does not
      // offer, so the upstream fails fast instead of waiting out its timeout and ours.
      const answerUpstream = (id: unknown, outcome: Readonly<Record<string, unknown>>) => {
        const answer =
          'error' in outcome
            ? { jsonrpc: '2.0', id, error: outcome.error }
            : { jsonrpc: '2.0', id, result: outcome.result };
        post(
          url,
          {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...headers,
            ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
          },
          JSON.stringify(answer),
          AbortSignal.timeout(opts.timeoutMs),
        )
          .then((r) => r.discard())
          .catch(() => {});
      };
      const refusal = (method: unknown) => ({
        error: {
          code: -32601,
          message: `The SprintConnect gateway's caller cannot answer ${String(method)}`,
        },
      });
      const refuse = (r: Readonly<Record<string, unknown>>) => {
        const asked = opts.askCaller?.(r);
        if (asked === undefined) return answerUpstream(r.id, refusal(r.method));
        asked.then(
          (outcome) => answerUpstream(r.id, outcome),
          () => answerUpstream(r.id, refusal(r.method)),
        );
      };
      const scan = sseScanner(message.id, opts.onNotification, refuse);
      const bytes = await readCapped(res, opts.maxBytes, scan.push);
      return toExchange(scan.found(), bytes, sessionId);
    }
    let text = '';
    const bytes = await readCapped(res, opts.maxBytes, (t) => {
      text += t;
      return false;
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'failed', why: 'transport', detail: `HTTP ${res.status} with a body that is not JSON` };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { kind: 'failed', why: 'transport', detail: `HTTP ${res.status} with no JSON-RPC response` };
    }
    return toExchange(parsed as Record<string, unknown>, bytes, sessionId);
  } catch (e) {
    if (e instanceof ResultTooLarge) {
      return { kind: 'failed', why: 'too_large', detail: `the result is larger than ${opts.maxBytes} bytes` };
    }
    if (opts.cancel?.aborted) {
      return { kind: 'failed', why: 'cancelled', detail: 'the caller cancelled the request or went away' };
    }
    if (signal.aborted) {
      return { kind: 'failed', why: 'timeout', detail: `no answer within ${opts.timeoutMs} ms` };
    }
    const err = e as Error & { code?: string; cause?: { code?: string } };
    return { kind: 'failed', why: 'transport', detail: err.code ?? err.cause?.code ?? err.message };
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}
