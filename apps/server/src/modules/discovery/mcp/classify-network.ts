/**
 * The network half of classifying a failed discovery (classify.ts): what the error's cause chain says about the
 * connection itself (our deadlines, egress refusals, DNS, refused or reset sockets, TLS), before any HTTP status
 * or MCP answer is looked at. Pure; split from classify.ts to keep each under 300 lines.
 */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { DiscoveryTimeoutError } from './errors.ts';
import type { DiscoveryFailureCode, DiscoveryStage } from './types.ts';

const DNS_CODES: ReadonlySet<string> = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EAI_NODATA',
]);
const REFUSED_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
]);
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** The peer closed or reset the connection, before or in the middle of an answer (undici, libuv). */
const CLOSED_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
/** The same, as it reads in flattened messages: undici's "terminated" / "other side closed". */
const CLOSED_IN_TEXT = /(other side closed|socket hang up|\bECONNRESET\b|TypeError: terminated)/;
const TLS_CODES: ReadonlySet<string> = new Set([
  'EPROTO',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
]);
const isTlsCode = (code: string) =>
  TLS_CODES.has(code) ||
  code.startsWith('CERT_') ||
  code.startsWith('ERR_TLS_') ||
  code.startsWith('ERR_SSL_');

/** Errno-style codes as they appear inside flattened messages ("fetch failed: getaddrinfo ENOTFOUND x"). */
const CODE_IN_TEXT =
  /\b(ENOTFOUND|EAI_AGAIN|EAI_FAIL|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPROTO|CERT_[A-Z_]+|ERR_TLS_[A-Z_]+|ERR_SSL_[A-Z_]+|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\b/;

export const MAX_MESSAGE = 400;

export type Found = {
  code: DiscoveryFailureCode;
  message: string;
  retryable?: boolean;
  retryAfterSeconds?: number;
};

/** The error, its causes, SDK `data.cause`s and AggregateError members, breadth-first, without cycles. */
export function errorChain(root: unknown, limit = 24): object[] {
  const out: object[] = [];
  const queue: unknown[] = [root];
  while (queue.length > 0 && out.length < limit) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || out.includes(e)) continue;
    out.push(e);
    const rec = e as { cause?: unknown; errors?: unknown; data?: unknown };
    queue.push(rec.cause);
    if (Array.isArray(rec.errors)) queue.push(...rec.errors);
    if (rec.data !== null && typeof rec.data === 'object') {
      queue.push((rec.data as { cause?: unknown }).cause);
    }
  }
  return out;
}

export const codeOf = (e: object): string | undefined => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
};
export const messageOf = (e: object): string => String((e as { message?: unknown }).message ?? '');
export const clip = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text);

export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return 'the server';
  }
}

export function fromTimeout(
  chain: object[],
  host: string,
  stage: DiscoveryStage | undefined,
): Found | undefined {
  for (const e of chain) {
    if (e instanceof DiscoveryTimeoutError) {
      return { code: 'timeout', message: `${host}: ${e.message}` };
    }
    if (e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout) {
      return { code: 'timeout', message: `${host}: ${stage ?? 'request'} timed out (${clip(e.message)})` };
    }
    if ((e as { name?: unknown }).name === 'TimeoutError') {
      return { code: 'timeout', message: `${host}: ${stage ?? 'request'} timed out` };
    }
  }
  return undefined;
}

export function fromEgress(chain: object[]): Found | undefined {
  for (const e of chain) {
    const code = codeOf(e);
    if (code === undefined || !code.startsWith('egress_')) continue;
    const detail = (e as { detail?: unknown }).detail;
    const text = `${code}: ${typeof detail === 'string' ? detail : messageOf(e)}`;
    // The egress module resolves names itself, so its DNS failure is a DNS failure, not a policy refusal.
    if (code === 'egress_dns_failed') return { code: 'dns_failed', message: text };
    if (code === 'egress_rate_limited') {
      const after = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      return typeof after === 'number'
        ? { code: 'rate_limited', message: text, retryAfterSeconds: after }
        : { code: 'rate_limited', message: text };
    }
    return { code: 'egress_blocked', message: text };
  }
  return undefined;
}

function fromSocketCode(code: string, host: string, text: string): Found | undefined {
  if (DNS_CODES.has(code)) return { code: 'dns_failed', message: `DNS lookup for ${host} failed (${code})` };
  if (REFUSED_CODES.has(code)) {
    const what = code === 'ECONNREFUSED' ? 'refused the connection' : 'is unreachable';
    return { code: 'connection_refused', message: `${host} ${what} (${code})` };
  }
  if (TIMEOUT_CODES.has(code)) {
    return { code: 'timeout', message: `connecting to ${host} timed out (${code})` };
  }
  if (CLOSED_CODES.has(code)) {
    return {
      code: 'connection_closed',
      message: `${host} closed the connection before answering in full (${code})`,
    };
  }
  if (isTlsCode(code)) {
    return { code: 'tls_error', message: `TLS with ${host} failed (${code}): ${clip(text)}` };
  }
  return undefined;
}

export function fromSocket(chain: object[], host: string): Found | undefined {
  for (const e of chain) {
    const code = codeOf(e);
    const found = code === undefined ? undefined : fromSocketCode(code, host, messageOf(e));
    if (found) return found;
  }
  for (const e of chain) {
    const match = CODE_IN_TEXT.exec(messageOf(e));
    const found = match?.[1] === undefined ? undefined : fromSocketCode(match[1], host, messageOf(e));
    if (found) return found;
  }
  for (const e of chain) {
    const match = CLOSED_IN_TEXT.exec(messageOf(e));
    if (match) {
      return {
        code: 'connection_closed',
        message: `${host} closed the connection before answering in full (${match[1]})`,
      };
    }
  }
  return undefined;
}
