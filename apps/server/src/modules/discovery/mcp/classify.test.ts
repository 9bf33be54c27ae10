import {
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SseError,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { EgressError } from '../../../platform/egress/index.ts';
import { classifyDiscoveryError, type WireObservation } from './classify.ts';
import { errorChain } from './classify-network.ts';
import {
  ConnectionClosedError,
  DiscoveryCancelledError,
  DiscoveryTimeoutError,
  PaginationError,
} from './errors.ts';
import type { DiscoveryFailureCode, DiscoveryStage } from './types.ts';

const URL_ = 'https://mcp.example.com:8443/mcp?token=secret';

/** An errno-style error as node:net / dns raise them. */
const sys = (code: string, message = `${code} something`) => Object.assign(new Error(message), { code });
/** fetch's wrapping of a socket error. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
/** The SDK's wrapping of a failed negotiation probe. */
const probeFailed = (cause: unknown) =>
  new SdkError(SdkErrorCode.EraNegotiationFailed, 'Version negotiation probe failed', { cause }, { cause });
const sseError = (code: number | undefined, message: string) =>
  new SseError(code, message, { type: 'error', code, message } as unknown as ConstructorParameters<
    typeof SseError
  >[2]);
const httpError = (code: SdkErrorCode, status: number) =>
  new SdkHttpError(code, `HTTP ${status}`, { status, statusText: 'x' });
const zodLike = () => Object.assign(new Error('[{"code":"invalid_union"}]'), { name: 'ZodError' });

interface Row {
  rule: string;
  error: unknown;
  code: DiscoveryFailureCode;
  stage?: DiscoveryStage;
  observed?: WireObservation;
  retryable?: boolean;
  messageIncludes?: string;
}

const rows: Row[] = [
  {
    rule: 'ENOTFOUND under fetch and the SDK is dns_failed',
    error: probeFailed(fetchFailed(sys('ENOTFOUND'))),
    code: 'dns_failed',
  },
  {
    rule: 'EAI_AGAIN (resolver temporarily failing) is dns_failed',
    error: fetchFailed(sys('EAI_AGAIN')),
    code: 'dns_failed',
  },
  {
    rule: 'ECONNREFUSED inside an AggregateError (happy eyeballs) is connection_refused',
    error: fetchFailed(new AggregateError([sys('ECONNREFUSED'), sys('ECONNREFUSED')], 'all failed')),
    code: 'connection_refused',
  },
  {
    rule: 'EHOSTUNREACH is connection_refused',
    error: fetchFailed(sys('EHOSTUNREACH')),
    code: 'connection_refused',
  },
  {
    rule: 'a DNS failure flattened into an SSE error message is dns_failed',
    error: sseError(undefined, 'SSE error: TypeError: fetch failed: getaddrinfo ENOTFOUND mcp.example.com'),
    code: 'dns_failed',
  },
  {
    rule: 'the observed fetch error is used when the transport flattened the chain',
    error: sseError(undefined, 'SSE error: TypeError: fetch failed'),
    observed: { fetchError: fetchFailed(sys('ECONNREFUSED')) },
    code: 'connection_refused',
  },
  {
    rule: 'an expired certificate is tls_error',
    error: fetchFailed(sys('CERT_HAS_EXPIRED')),
    code: 'tls_error',
    retryable: false,
  },
  {
    rule: 'a certificate for another name is tls_error',
    error: fetchFailed(sys('ERR_TLS_CERT_ALTNAME_INVALID')),
    code: 'tls_error',
  },
  {
    rule: 'a self-signed certificate is tls_error',
    error: fetchFailed(sys('DEPTH_ZERO_SELF_SIGNED_CERT')),
    code: 'tls_error',
  },
  {
    rule: 'TLS spoken to a plain-HTTP port (EPROTO) is tls_error',
    error: fetchFailed(sys('EPROTO')),
    code: 'tls_error',
  },
  {
    rule: 'a connect timeout (ETIMEDOUT) is timeout',
    error: fetchFailed(sys('ETIMEDOUT')),
    code: 'timeout',
    retryable: true,
  },
  {
    rule: 'undici connect timeout is timeout',
    error: fetchFailed(sys('UND_ERR_CONNECT_TIMEOUT')),
    code: 'timeout',
  },
  {
    rule: 'the SDK 401 on the negotiation probe is unauthorized',
    error: httpError(SdkErrorCode.ClientHttpAuthentication, 401),
    code: 'unauthorized',
    retryable: false,
  },
  {
    rule: 'UnauthorizedError from a transport is unauthorized',
    error: new UnauthorizedError(),
    code: 'unauthorized',
  },
  {
    rule: 'an SSE stream refused with 401 is unauthorized',
    error: sseError(401, 'Non-200 status code (401)'),
    code: 'unauthorized',
  },
  {
    rule: 'the SDK 403 is forbidden',
    error: httpError(SdkErrorCode.ClientHttpForbidden, 403),
    code: 'forbidden',
  },
  {
    rule: 'an SSE stream refused with 403 is forbidden',
    error: sseError(403, 'Non-200 status code (403)'),
    code: 'forbidden',
  },
  {
    rule: 'HTTP 404 is not_mcp',
    error: httpError(SdkErrorCode.ClientHttpNotImplemented, 404),
    code: 'not_mcp',
  },
  {
    rule: 'HTTP 405 on the SSE stream is not_mcp',
    error: sseError(405, 'Non-200 status code (405)'),
    code: 'not_mcp',
  },
  {
    rule: 'an HTML answer to the probe is not_mcp and names the content type',
    error: probeFailed(
      new SdkError(SdkErrorCode.ClientHttpUnexpectedContent, 'Unexpected content type: text/html', {
        contentType: 'text/html',
      }),
    ),
    code: 'not_mcp',
    messageIncludes: 'text/html',
  },
  {
    rule: 'a 200 that is not an event stream on the SSE transport is not_mcp',
    error: sseError(200, 'SSE error: Invalid content type, expected "text/event-stream"'),
    code: 'not_mcp',
  },
  {
    rule: 'JSON that is not JSON-RPC on connect is not_mcp',
    error: probeFailed(zodLike()),
    code: 'not_mcp',
    stage: 'connect',
  },
  {
    rule: 'JSON that is not JSON-RPC after connect is protocol_error',
    error: zodLike(),
    code: 'protocol_error',
    stage: 'tools',
  },
  {
    rule: 'a JSON-RPC error reply is protocol_error with its code',
    error: new ProtocolError(-32601, 'Method not found'),
    code: 'protocol_error',
    stage: 'prompts',
    messageIncludes: '-32601',
  },
  {
    rule: 'endless pagination is protocol_error',
    error: new PaginationError('pagination repeated cursor "a"'),
    code: 'protocol_error',
  },
  {
    rule: 'an invalid list result is protocol_error',
    error: new SdkError(SdkErrorCode.InvalidResult, 'Invalid result for tools/list'),
    code: 'protocol_error',
  },
  {
    rule: 'an HTTP 5xx is protocol_error and retryable',
    error: httpError(SdkErrorCode.EraNegotiationFailed, 502),
    code: 'protocol_error',
    retryable: true,
  },
  {
    rule: 'our stage deadline is timeout and names the stage',
    error: new DiscoveryTimeoutError('tools', 500),
    code: 'timeout',
    stage: 'tools',
    retryable: true,
    messageIncludes: 'tools took longer than 500 ms',
  },
  {
    rule: 'the SDK request timeout is timeout',
    error: new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out'),
    code: 'timeout',
  },
  {
    rule: 'an AbortSignal.timeout() abort is timeout',
    error: new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    code: 'timeout',
  },
  {
    rule: 'an egress refusal is egress_blocked and keeps its detail',
    error: fetchFailed(new EgressError('egress_address_blocked', '127.0.0.1 is loopback (127.0.0.0/8)')),
    code: 'egress_blocked',
    retryable: false,
    messageIncludes: 'egress_address_blocked: 127.0.0.1 is loopback (127.0.0.0/8)',
  },
  {
    rule: 'an egress refusal thrown directly by the egress fetch is egress_blocked',
    error: new EgressError('egress_metadata_blocked', '169.254.169.254 is a cloud metadata address'),
    code: 'egress_blocked',
  },
  {
    rule: "the egress module's own DNS failure is dns_failed, keeping its detail",
    error: new EgressError('egress_dns_failed', 'could not resolve mcp.example.com (ENOTFOUND)'),
    code: 'dns_failed',
    messageIncludes: 'could not resolve mcp.example.com',
  },
  {
    rule: 'an observed 401 explains an otherwise generic error',
    error: new Error('Error POSTing to endpoint'),
    observed: { badResponse: { method: 'POST', status: 401, contentType: 'application/json' } },
    code: 'unauthorized',
  },
  {
    rule: 'an observed HTML 200 explains an otherwise generic error',
    error: new Error('something broke'),
    observed: { badResponse: { method: 'GET', status: 200, contentType: 'text/html' } },
    code: 'not_mcp',
  },
  {
    rule: 'a caller cancel is unknown and retryable',
    error: new DiscoveryCancelledError('shutdown'),
    code: 'unknown',
    retryable: true,
  },
  {
    rule: 'a caller cancel by AbortSignal.timeout() is timeout',
    error: new DiscoveryCancelledError(new DOMException('timed out', 'TimeoutError')),
    code: 'timeout',
  },
  {
    rule: 'an invalid URL is unknown and not retryable',
    error: Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }),
    code: 'unknown',
    retryable: false,
  },
  {
    rule: 'anything else is unknown and retryable',
    error: new Error('weird'),
    code: 'unknown',
    retryable: true,
  },
  { rule: 'a thrown non-error is unknown', error: 'just a string', code: 'unknown' },
  {
    rule: 'our abort for an answer cut off mid-stream is connection_closed, whatever timed out after',
    error: new ConnectionClosedError(new TypeError('terminated', { cause: sys('UND_ERR_SOCKET') })),
    code: 'connection_closed',
    retryable: true,
    messageIncludes: 'UND_ERR_SOCKET',
  },
  {
    rule: 'a body that broke off (seen by the observing fetch) behind an SDK error is connection_closed',
    error: probeFailed(new Error('terminated')),
    observed: {
      streamError: new TypeError('terminated', { cause: sys('UND_ERR_SOCKET', 'other side closed') }),
    },
    code: 'connection_closed',
  },
  {
    rule: 'ECONNRESET is connection_closed',
    error: fetchFailed(sys('ECONNRESET')),
    code: 'connection_closed',
    retryable: true,
  },
  {
    rule: "the SSE transport's flattened 'other side closed' is connection_closed",
    error: sseError(undefined, 'SSE error: TypeError: terminated: other side closed'),
    code: 'connection_closed',
  },
  {
    rule: 'HTTP 429 is upstream_rate_limited and retryable, with the Retry-After the wire showed',
    error: httpError(SdkErrorCode.ClientHttpNotImplemented, 429),
    observed: { badResponse: { method: 'POST', status: 429, contentType: null, retryAfterSeconds: 12 } },
    code: 'upstream_rate_limited',
    retryable: true,
    messageIncludes: 'retry after 12 s',
  },
  {
    rule: 'HTTP 429 seen only on the wire is upstream_rate_limited',
    error: new Error('weird'),
    observed: { badResponse: { method: 'POST', status: 429, contentType: 'text/plain' } },
    code: 'upstream_rate_limited',
  },
];

describe('classifyDiscoveryError', () => {
  it.each(rows)('$rule', ({ error, code, stage, observed, retryable, messageIncludes }) => {
    const failure = classifyDiscoveryError(error, {
      url: URL_,
      ...(stage ? { stage } : {}),
      ...(observed ? { observed } : {}),
    });
    expect(failure.code).toBe(code);
    if (retryable !== undefined) expect(failure.retryable).toBe(retryable);
    if (messageIncludes !== undefined) expect(failure.message).toContain(messageIncludes);
    if (stage !== undefined) expect(failure.stage).toBe(stage);
    expect(failure.guidance.length).toBeGreaterThan(40);
  });

  it('never puts the URL path or query (which may carry tokens) in message or guidance', () => {
    for (const { error, observed } of rows) {
      const failure = classifyDiscoveryError(error, { url: URL_, ...(observed ? { observed } : {}) });
      expect(failure.message).not.toContain('secret');
      expect(failure.guidance).not.toContain('secret');
    }
  });

  it('masks the query and password of the URL when a low-level message quotes it', () => {
    const url = 'https://user:pw-123@mcp.example.com/mcp?api_key=k-456';
    const failure = classifyDiscoveryError(new Error(`request to ${url} failed`), { url });
    expect(failure.message).not.toContain('k-456');
    expect(failure.message).not.toContain('pw-123');
    expect(failure.message).toContain('[redacted]');
  });

  it('gives dns_failed guidance that names the host and says to check resolution from the SprintConnect host', () => {
    const failure = classifyDiscoveryError(fetchFailed(sys('ENOTFOUND')), { url: URL_ });
    expect(failure.guidance).toContain('mcp.example.com:8443');
    expect(failure.guidance).toMatch(/resolve from the SprintConnect host/);
  });

  it('gives not_mcp guidance that points at the MCP endpoint path (/mcp or /sse)', () => {
    const failure = classifyDiscoveryError(sseError(404, 'Non-200 status code (404)'), { url: URL_ });
    expect(failure.guidance).toContain('/mcp');
    expect(failure.guidance).toContain('/sse');
  });

  it('prefers our own deadline over the errors it caused downstream', () => {
    const error = new DiscoveryTimeoutError('connect', 100);
    const observed = { fetchError: fetchFailed(sys('ECONNRESET')) };
    expect(classifyDiscoveryError(error, { url: URL_, observed }).code).toBe('timeout');
  });

  it('gives a 429 its Retry-After as data, and none when the wire showed none', () => {
    const badResponse = { method: 'POST', status: 429, contentType: null, retryAfterSeconds: 12 };
    const error = httpError(SdkErrorCode.ClientHttpNotImplemented, 429);
    expect(classifyDiscoveryError(error, { url: URL_, observed: { badResponse } }).retryAfterSeconds).toBe(
      12,
    );
    expect(classifyDiscoveryError(error, { url: URL_ }).retryAfterSeconds).toBeUndefined();
  });

  it('reports a redirect the client stopped at, to a target the egress policy refuses, as that refusal (not retried)', () => {
    const sdk = new Error('Error POSTing to endpoint: Redirect to http://10.0.0.5:6379/mcp not followed');
    const unfollowedRedirect = {
      status: 307,
      from: 'https://mcp.example.com:8443',
      location: 'http://10.0.0.5:6379/mcp',
    };
    const refused = classifyDiscoveryError(sdk, {
      url: URL_,
      observed: {
        unfollowedRedirect,
        redirectRefusal: {
          code: 'egress_port_not_allowed',
          detail: 'port 6379 is not in SPRINTCONNECT_EGRESS_PORTS',
        },
      },
    });
    expect(refused).toMatchObject({ code: 'egress_blocked', retryable: false });
    expect(refused.message).toContain(
      'egress_redirect_blocked: redirect from https://mcp.example.com:8443 refused: port 6379 is not in SPRINTCONNECT_EGRESS_PORTS',
    );
    const byOrg = classifyDiscoveryError(sdk, {
      url: URL_,
      observed: {
        unfollowedRedirect,
        redirectRefusal: { code: 'egress_denied_by_org_policy', detail: 'denylist 10.0.0.0/8' },
      },
    });
    expect(byOrg.message).toContain('egress_denied_by_org_policy: redirect from');
    // Without a refusal nothing is claimed about policy.
    expect(classifyDiscoveryError(sdk, { url: URL_, observed: { unfollowedRedirect } }).code).not.toBe(
      'egress_blocked',
    );
  });

  it('clips long low-level messages', () => {
    const failure = classifyDiscoveryError(new Error('x'.repeat(5000)), { url: URL_ });
    expect(failure.message.length).toBeLessThan(600);
  });
});

describe('errorChain', () => {
  it('follows cause, AggregateError members and SDK data.cause without looping on cycles', () => {
    const inner = sys('ECONNREFUSED');
    const cyclic: Error & { cause?: unknown } = new Error('cycle');
    cyclic.cause = cyclic;
    const root = new SdkError(SdkErrorCode.SendFailed, 'x', { cause: new AggregateError([inner, cyclic]) });
    const chain = errorChain(root);
    expect(chain).toContain(inner);
    expect(chain.filter((e) => e === cyclic)).toHaveLength(1);
  });
});
