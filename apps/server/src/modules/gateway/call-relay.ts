import { META, MODERN_VERSION } from './era.ts';
import type { InflightCalls } from './inflight-calls.ts';
import type { RpcMessage } from './jsonrpc.ts';
import type { AskCaller } from './upstream-http.ts';

/**
 * What of an upstream's call stream reaches the caller (issue 11 point 6, ADR 0046): progress for the caller's
 * own token, and log messages at or above the level the caller asked for. Both need a caller stream (the caller
 * accepts `text/event-stream`); without one nothing is relayed and the call is answered with one JSON body.
 */

/** RFC 5424 severities as MCP names them (server/utilities/logging), least severe first. */
export const LOG_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** 2026-07-28 carries the caller's log threshold in each request's `_meta` (it has no `logging/setLevel` state). */
export const LOG_LEVEL_META = 'io.modelcontextprotocol/logLevel';

const rank = (l: unknown): number => LOG_LEVELS.indexOf(l as LogLevel);

const metaOf = (m: RpcMessage): Record<string, unknown> | undefined => {
  const meta = m.params?._meta;
  return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : undefined;
};

export function progressTokenOf(m: RpcMessage): string | number | undefined {
  const t = metaOf(m)?.progressToken;
  return typeof t === 'string' || (typeof t === 'number' && Number.isFinite(t)) ? t : undefined;
}

/**
 * The lowest level relayed to this caller, or undefined for none. 2026-07-28: the request's `_meta` level, and
 * no log messages without one (the SDK's servers send none then). 2025 era: `logging/setLevel` is session state
 * the stateless gateway cannot keep, so a request's `_meta` level is honoured when present and otherwise every
 * level is relayed, as a 2025 server does before any `setLevel` (ADR 0046).
 */
export function logLevelOf(m: RpcMessage, era: 'modern' | 'legacy'): LogLevel | undefined {
  const asked = metaOf(m)?.[LOG_LEVEL_META];
  if (rank(asked) >= 0) return asked as LogLevel;
  return era === 'modern' ? undefined : 'debug';
}

export const isLogLevel = (v: unknown): v is LogLevel => rank(v) >= 0;

type Message = Readonly<Record<string, unknown>>;

/**
 * The upstream `_meta` for one call: the caller's progress token (an opaque id, not a credential) and, for a
 * 2026-07-28 upstream, the log threshold, so the upstream does not produce what the gateway would drop. Nothing
 * else of the caller's `_meta` travels.
 */
export function upstreamMeta(
  m: RpcMessage,
  era: 'modern' | 'legacy',
  upstreamVersion: string,
  streaming: boolean,
): Record<string, unknown> | undefined {
  const token = streaming ? progressTokenOf(m) : undefined;
  const level = streaming ? logLevelOf(m, era) : undefined;
  const modern = upstreamVersion === MODERN_VERSION;
  const asks = modern && era === 'modern' ? relayedCapabilities(clientCapabilitiesOf(m)) : undefined;
  const meta: Record<string, unknown> = {
    ...(token === undefined ? {} : { progressToken: token }),
    ...(level !== undefined && modern ? { [LOG_LEVEL_META]: level } : {}),
    ...(asks === undefined ? {} : { [META.clientCapabilities]: asks }),
  };
  return Object.keys(meta).length === 0 ? undefined : meta;
}

/** Sees each upstream notification and passes on what this caller gets; undefined when nothing would pass. */
export function notificationRelay(
  m: RpcMessage,
  era: 'modern' | 'legacy',
  send: ((n: Message) => void) | undefined,
): ((n: Message) => void) | undefined {
  if (send === undefined) return undefined;
  const token = progressTokenOf(m);
  const level = logLevelOf(m, era);
  if (token === undefined && level === undefined) return undefined;
  const floor = level === undefined ? Number.POSITIVE_INFINITY : rank(level);
  return (n) => {
    const p = n.params as { progressToken?: unknown; level?: unknown } | undefined;
    const pass =
      (n.method === 'notifications/progress' && token !== undefined && p?.progressToken === token) ||
      (n.method === 'notifications/message' && rank(p?.level) >= floor);
    if (pass) send({ jsonrpc: '2.0', method: n.method, params: n.params });
  };
}

/**
 * 2026-07-28 input requests are results (`input_required`, multi round-trip requests): a 2026 upstream asks only
 * what the request's client capabilities cover, so the caller's own elicitation and sampling declarations travel
 * (nothing else: roots, extensions and the rest describe the caller, not what the gateway passes on), and the
 * `input_required` result and the caller's retry (`inputResponses`, `requestState`) pass through unchanged.
 */
function relayedCapabilities(declared: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['elicitation', 'sampling']) if (declared?.[k] !== undefined) out[k] = declared[k];
  return out;
}

/** The retry channel of a 2026-07-28 request (multi round-trip requests), for a 2026 upstream only. */
export function retryParams(m: RpcMessage, era: 'modern' | 'legacy', upstreamVersion: string) {
  if (era !== 'modern' || upstreamVersion !== MODERN_VERSION) return {};
  const { inputResponses, requestState } = m.params ?? {};
  return {
    ...(inputResponses === undefined ? {} : { inputResponses }),
    ...(requestState === undefined ? {} : { requestState }),
  };
}

/** Keys of the 2026 envelope a relayed request's caller declared (its per-request client capabilities). */
export const clientCapabilitiesOf = (m: RpcMessage): Record<string, unknown> | undefined => {
  const c = metaOf(m)?.[META.clientCapabilities];
  return typeof c === 'object' && c !== null ? (c as Record<string, unknown>) : undefined;
};

/** The upstream requests a caller is asked (MCP client features); roots and the rest stay refused. */
const INPUT_METHODS: Readonly<Record<string, 'elicitation' | 'sampling'>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
};

/**
 * How an upstream's input request reaches a 2025-era caller (ADR 0046): on the caller's response stream, under
 * a gateway-chosen id (the upstream's ids are per session and could collide with the caller's own), and the
 * caller's response, POSTed to any process, comes back through `inflight`. The wait ends with the call: when
 * the caller cancels or goes away, or after `timeoutMs` (the call's own limit), the upstream is refused.
 *
 * The stateless gateway cannot recall what a 2025-era caller declared at `initialize`, so it asks every caller
 * that takes a stream; a client without the feature answers "method not found" (JSON-RPC; both SDK lines do),
 * which is exactly the refusal the upstream got before. A 2026-07-28 caller is not asked this way: it declares
 * its capabilities per request and gets `input_required` results, not built yet (ADR 0046, "Not done").
 */
export function inputRelay(o: {
  era: 'modern' | 'legacy';
  send: ((n: Message) => void) | undefined;
  inflight: Pick<InflightCalls, 'awaitInput'> | undefined;
  caller: string;
  cancel: AbortSignal;
  timeoutMs: number;
}): AskCaller | undefined {
  const { send, inflight } = o;
  if (o.era !== 'legacy' || send === undefined || inflight === undefined) return undefined;
  return (request) => {
    if (typeof request.method !== 'string' || INPUT_METHODS[request.method] === undefined) return undefined;
    if (o.cancel.aborted) return undefined;
    const wait = inflight.awaitInput(o.caller);
    send({ jsonrpc: '2.0', id: wait.id, method: request.method, params: request.params ?? {} });
    const ended = new Promise<Message>((_, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), o.timeoutMs);
      timer.unref();
      o.cancel.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
      void wait.answer.finally(() => clearTimeout(timer));
    });
    return Promise.race([wait.answer, ended]).finally(wait.dispose);
  };
}
