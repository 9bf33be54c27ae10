import { SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { EgressError } from '../../../platform/egress/index.ts';
import { classifyDiscoveryError, type WireObservation } from './classify.ts';
import { DiscoveryCancelledError, DiscoveryTimeoutError } from './errors.ts';

const URL_ = 'http://10.0.0.5:6379/mcp?token=secret';
const sys = (code: string, message = `${code} something`) => Object.assign(new Error(message), { code });
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
const probeFailed = (cause: unknown) =>
  new SdkError(SdkErrorCode.EraNegotiationFailed, 'Version negotiation probe failed', { cause }, { cause });
/** undici's parser error for bytes that are not HTTP: no `code`, only a name. */
const notHttp = () =>
  Object.assign(new Error('Response does not match the HTTP/1.1 protocol (Expected HTTP/)'), {
    name: 'HTTPParserError',
    code: undefined,
  });

const classify = (error: unknown, observed?: WireObservation) =>
  classifyDiscoveryError(error, { url: URL_, stage: 'connect', ...(observed ? { observed } : {}) });

describe('unanswered: failures a port probe tells apart', () => {
  it.each([
    ['a refused connection', fetchFailed(sys('ECONNREFUSED')), 'ECONNREFUSED: '],
    ['an unreachable host', fetchFailed(sys('EHOSTUNREACH')), 'EHOSTUNREACH: '],
    ['a reset during connect', probeFailed(fetchFailed(sys('ECONNRESET'))), 'ECONNRESET: '],
    [
      'a peer that hung up',
      probeFailed(fetchFailed(sys('UND_ERR_SOCKET', 'other side closed'))),
      'UND_ERR_SOCKET: ',
    ],
    ['bytes that are not HTTP', probeFailed(fetchFailed(notHttp())), 'HTTPParserError: '],
    ['TLS spoken to a port that does not speak it', fetchFailed(sys('EPROTO')), 'EPROTO: '],
    ['silence until our deadline', new DiscoveryTimeoutError('connect', 1500), 'DiscoveryTimeoutError: '],
    ['an undici connect timeout', fetchFailed(sys('UND_ERR_CONNECT_TIMEOUT')), 'UND_ERR_CONNECT_TIMEOUT: '],
  ])('%s is unanswered, with the low-level cause kept for the log', (_what, error, cause) => {
    const failure = classify(error);
    expect(failure.unanswered).toBe(true);
    expect(failure.wireCause?.startsWith(cause)).toBe(true);
  });

  it('takes the low-level cause from the observed fetch error when the transport flattened it', () => {
    const failure = classify(new Error('SSE error: TypeError: fetch failed'), {
      fetchError: fetchFailed(sys('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:6379')),
    });
    expect(failure).toMatchObject({
      unanswered: true,
      wireCause: 'ECONNREFUSED: connect ECONNREFUSED 10.0.0.5:6379',
    });
  });

  it('is answered once any HTTP response came back, whatever failed after', () => {
    const failure = classify(fetchFailed(sys('ECONNRESET')), { answered: true });
    expect(failure.unanswered).toBe(false);
    expect(failure.wireCause).toBeUndefined();
  });

  it.each([
    [
      'an HTTP status',
      new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, 'HTTP 404', { status: 404, statusText: 'x' }),
    ],
    ['a certificate the peer presented', fetchFailed(sys('DEPTH_ZERO_SELF_SIGNED_CERT'))],
    ['a certificate for another name', fetchFailed(sys('ERR_TLS_CERT_ALTNAME_INVALID'))],
    ['a policy refusal', fetchFailed(new EgressError('egress_port_not_allowed', 'port 6379 is not in ...'))],
    ['a DNS failure', fetchFailed(sys('ENOTFOUND'))],
    ['our own caller stopping the run', new DiscoveryCancelledError('shutdown')],
    ['a URL that never parsed', Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' })],
  ])('is not unanswered for %s', (_what, error) => {
    expect(classify(error).unanswered).toBe(false);
  });

  it('masks the URL query in the kept cause', () => {
    const failure = classify(fetchFailed(sys('ECONNRESET', `reset while fetching ${URL_}`)));
    expect(failure.wireCause).not.toContain('secret');
  });
});
