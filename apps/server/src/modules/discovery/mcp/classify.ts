/**
 * Turns whatever a discovery attempt threw into a `DiscoveryFailure` (errors as data). Pure: it looks at
 * the error, its `cause` chain (fetch wraps socket errors in TypeError('fetch failed'); the SDK wraps
 * those again), and what the observing fetch saw on the wire, because some transports flatten the chain
 * into a string (the SSE transport's EventSource does).
 *
 * Precedence, most specific first: our own deadlines, egress refusals, socket/DNS/TLS error codes, the
 * HTTP status the server answered, non-MCP content, JSON-RPC/protocol errors, then `unknown`.
 */
import { ProtocolError, SdkError, SdkErrorCode, SseError } from '@modelcontextprotocol/client';
import {
  clip,
  codeOf,
  errorChain,
  type Found,
  fromEgress,
  fromSocket,
  fromTimeout,
  hostOf,
  messageOf,
} from './classify-network.ts';
import { fromRunStop, withRetryAfter } from './classify-stops.ts';
import { DiscoveryCancelledError, PaginationError } from './errors.ts';
import { guidanceFor } from './guidance.ts';
import { redactUrlSecrets } from './redact.ts';
import type { DiscoveryFailure, DiscoveryFailureCode, DiscoveryStage } from './types.ts';

import { unansweredFacts } from './unanswered.ts';

/** A response the observing fetch judged not to be a usable MCP answer. */
export interface BadResponse {
  method: string;
  status: number;
  contentType: string | null;
  /** Its `Retry-After`, in seconds from when it arrived (RFC 9110 §10.2.3). */
  retryAfterSeconds?: number;
}

/** What the observing fetch saw; see observing-fetch.ts. */
export interface WireObservation {
  /** The last response that was not a usable MCP answer (non-2xx, or 2xx with a non-MCP content type). */
  badResponse?: BadResponse;
  /** The last error fetch itself threw, with its `cause` chain intact. */
  fetchError?: unknown;
  /** Whether any HTTP response (any status) came back: the server answered (see unanswered.ts). */
  answered?: boolean;
  /** The last error reading a response body (the connection closed mid-stream), cause chain intact. */
  streamError?: unknown;
  /** The last response was a redirect nobody followed (the MCP client follows same-origin ones only). */
  unfollowedRedirect?: { status: number; from: string; location: string };
  /** Why the egress policy would refuse that redirect's target (discover.ts asks it after a failure). */
  redirectRefusal?: { code: string; detail: string };
}

export interface ClassifyContext {
  url: string;
  stage?: DiscoveryStage;
  observed?: WireObservation;
}

const HTTP_STATUS_IN_TEXT = /\bHTTP (\d{3})\b/;

const RETRYABLE: Readonly<Record<DiscoveryFailureCode, boolean>> = Object.freeze({
  dns_failed: true,
  connection_refused: true,
  tls_error: false,
  unauthorized: false,
  forbidden: false,
  not_mcp: false,
  timeout: true,
  protocol_error: false,
  egress_blocked: false,
  rate_limited: true,
  upstream_rate_limited: true,
  connection_closed: true,
  unknown: true,
});

/**
 * A redirect the client stopped at, to a destination the outbound policy refuses: that refusal is the failure
 * (not retryable), worded as egress words a refused hop it follows itself (fetch.ts).
 */
function fromRefusedRedirect(observed: WireObservation | undefined): Found | undefined {
  const redirect = observed?.unfollowedRedirect;
  const refusal = observed?.redirectRefusal;
  if (redirect === undefined || refusal === undefined) return undefined;
  const code = refusal.code === 'egress_denied_by_org_policy' ? refusal.code : 'egress_redirect_blocked';
  return {
    code: 'egress_blocked',
    message: `${code}: redirect from ${redirect.from} refused: ${refusal.detail}`,
  };
}

function fromStatus(status: number, host: string, contentType?: string | null): Found | undefined {
  if (status === 429) {
    return { code: 'upstream_rate_limited', message: `${host} answered HTTP 429 Too Many Requests` };
  }
  if (status === 401) return { code: 'unauthorized', message: `${host} answered HTTP 401 Unauthorized` };
  if (status === 403) return { code: 'forbidden', message: `${host} answered HTTP 403 Forbidden` };
  if (status === 404 || status === 405) {
    return { code: 'not_mcp', message: `${host} answered HTTP ${status}: no MCP endpoint at this URL` };
  }
  if (status >= 500) {
    return {
      code: 'protocol_error',
      message: `${host} answered HTTP ${status} (server error)`,
      retryable: true,
    };
  }
  if (status >= 400) {
    return { code: 'protocol_error', message: `${host} rejected the MCP request with HTTP ${status}` };
  }
  if (status >= 200 && status < 300 && contentType) {
    return { code: 'not_mcp', message: `${host} answered ${contentType} instead of JSON-RPC` };
  }
  return undefined;
}

function statusOf(e: object): number | undefined {
  const status = (e as { status?: unknown }).status;
  if (typeof status === 'number') return status;
  // EventSource failures carry the HTTP status as `code` (200 when the content type was wrong).
  if (e instanceof SseError && typeof e.code === 'number') return e.code;
  if (e instanceof SdkError && e.code === SdkErrorCode.ClientHttpAuthentication) return 401;
  if (e instanceof SdkError && e.code === SdkErrorCode.ClientHttpForbidden) return 403;
  if ((e as { name?: unknown }).name === 'UnauthorizedError') return 401;
  const match = HTTP_STATUS_IN_TEXT.exec(messageOf(e));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function contentTypeOf(e: object): string | undefined {
  if (!(e instanceof SdkError) || e.code !== SdkErrorCode.ClientHttpUnexpectedContent) return undefined;
  const type = (e.data as { contentType?: unknown } | undefined)?.contentType;
  return typeof type === 'string' ? type : 'an unexpected content type';
}

function fromHttp(chain: object[], host: string): Found | undefined {
  for (const e of chain) {
    const type = contentTypeOf(e);
    if (type !== undefined) {
      return { code: 'not_mcp', message: `${host} answered ${type} instead of JSON-RPC` };
    }
  }
  for (const e of chain) {
    const status = statusOf(e);
    if (status === undefined) continue;
    if (status === 200 && e instanceof SseError) {
      return { code: 'not_mcp', message: `${host} did not answer with an SSE stream (${clip(e.message)})` };
    }
    const found = fromStatus(status, host);
    if (found) return found;
  }
  return undefined;
}

function fromProtocol(chain: object[], host: string, stage: DiscoveryStage | undefined): Found | undefined {
  for (const e of chain) {
    const name = (e as { name?: unknown }).name;
    // The first reply parsed as JSON but not as JSON-RPC, or did not parse at all: not an MCP server.
    // The same after a successful handshake is an MCP server that broke the protocol.
    if (name !== 'ZodError' && !(e instanceof SyntaxError)) continue;
    if (stage === undefined || stage === 'connect') {
      return { code: 'not_mcp', message: `${host} answered something that is not JSON-RPC` };
    }
    return { code: 'protocol_error', message: `${host} sent a reply that is not valid JSON-RPC` };
  }
  for (const e of chain) {
    if (e instanceof ProtocolError) {
      return {
        code: 'protocol_error',
        message: `${host} returned JSON-RPC error ${e.code}: ${clip(e.message)}`,
      };
    }
    if (e instanceof PaginationError) return { code: 'protocol_error', message: `${host}: ${e.message}` };
    if (e instanceof SdkError && e.code === SdkErrorCode.InvalidResult) {
      return { code: 'protocol_error', message: `${host} sent an invalid result: ${clip(e.message)}` };
    }
    if (e instanceof SdkError && e.code === SdkErrorCode.EraNegotiationFailed) {
      return { code: 'protocol_error', message: `${host}: ${clip(e.message)}` };
    }
  }
  return undefined;
}

function explain(error: unknown, chain: object[], ctx: ClassifyContext, host: string): Found {
  if (chain.some((e) => codeOf(e) === 'ERR_INVALID_URL')) {
    return { code: 'unknown', message: 'the server URL is not a valid URL', retryable: false };
  }
  const stopped = fromRunStop(chain, host);
  if (stopped) return stopped;
  const timeout = fromTimeout(chain, host, ctx.stage);
  if (timeout) return timeout;
  const cancelled = chain.find((e) => e instanceof DiscoveryCancelledError);
  if (cancelled) return { code: 'unknown', message: messageOf(cancelled) };
  const found =
    fromEgress(chain) ??
    fromRefusedRedirect(ctx.observed) ??
    fromSocket(chain, host) ??
    fromHttp(chain, host);
  if (found) return found;
  const protocol = fromProtocol(chain, host, ctx.stage);
  if (protocol) return protocol;
  const bad = ctx.observed?.badResponse;
  const observed = bad === undefined ? undefined : fromStatus(bad.status, host, bad.contentType);
  if (observed) return observed;
  const text = chain[0] === undefined ? String(error) : messageOf(chain[0]) || String(error);
  return { code: 'unknown', message: `${host}: ${clip(text)}` };
}

/** Classifies one failed discovery attempt. Never throws. */
export function classifyDiscoveryError(error: unknown, ctx: ClassifyContext): DiscoveryFailure {
  const host = hostOf(ctx.url);
  const chain = [
    ...errorChain(error),
    ...errorChain(ctx.observed?.fetchError),
    ...errorChain(ctx.observed?.streamError),
  ];
  const found = withRetryAfter(explain(error, chain, ctx, host), ctx.observed?.badResponse);
  const message = redactUrlSecrets(found.message, ctx.url);
  return {
    code: found.code,
    message: ctx.stage === undefined ? message : `${message} [stage: ${ctx.stage}]`,
    guidance: guidanceFor(found.code, { host }),
    retryable: found.retryable ?? RETRYABLE[found.code],
    ...unansweredFacts(chain, found.code, ctx),
    ...(ctx.stage === undefined ? {} : { stage: ctx.stage }),
    ...(found.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: found.retryAfterSeconds }),
  };
}
