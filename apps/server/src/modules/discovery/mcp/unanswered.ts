/**
 * Whether a failed attempt ended before the server answered at all: refused, unreachable, reset or closed,
 * bytes that are not HTTP, a TLS handshake that never showed a certificate, or silence until a deadline.
 * Those are exactly the outcomes a port probe tells apart (closed, filtered, open but not HTTP), so the
 * discovery service reports them all to the tenant as one `unreachable` and keeps the precise cause for the
 * server log (issue 8 point 5, ADR 0027). Pure: it reads the error chain and what the observing fetch saw.
 */
import type { ClassifyContext } from './classify.ts';
import { DiscoveryCancelledError } from './errors.ts';
import { redactUrlSecrets } from './redact.ts';
import type { DiscoveryFailure, DiscoveryFailureCode } from './types.ts';

/**
 * Codes a silent or non-HTTP peer can produce. Policy refusals, DNS, the org's rate limit and HTTP statuses
 * (401/403) are not among them: those say nothing about which ports are open.
 */
const WIRE_CODES: ReadonlySet<DiscoveryFailureCode> = new Set([
  'connection_refused',
  // A connection cut before any answer (reset, hang-up); once an answer came back, `observed.answered` keeps
  // the precise code.
  'connection_closed',
  'timeout',
  'tls_error',
  'not_mcp',
  'protocol_error',
  'unknown',
]);

/**
 * Certificate verification failures: the peer completed enough of a TLS handshake to present a certificate,
 * i.e. it answered as a TLS server, as an HTTP status is an answer from an HTTP server. They keep their
 * precise code, with guidance that matters (self-signed, expired, wrong name).
 */
const isCertificateCode = (code: string) =>
  code.startsWith('CERT_') ||
  code.startsWith('UNABLE_TO_') ||
  code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
  code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
  code === 'HOSTNAME_MISMATCH' ||
  code === 'ERR_TLS_CERT_ALTNAME_INVALID';

/**
 * `chain`: the thrown error's and the observed fetch error's cause chains (classify.ts `errorChain`). For an
 * unanswered failure, `wireCause` is the lowest-level error (its errno or undici code, else its name, and its
 * message), which the classified message may have flattened to "fetch failed": the operator reads it in the
 * log.
 */
export function unansweredFacts(
  chain: readonly object[],
  code: DiscoveryFailureCode,
  ctx: ClassifyContext,
): Pick<DiscoveryFailure, 'unanswered' | 'wireCause'> {
  if (ctx.observed?.answered === true || !WIRE_CODES.has(code)) return { unanswered: false };
  // A status anywhere (an SDK HTTP error, a response the observer kept) is an answer too.
  const hasStatus = chain.some((e) => typeof (e as { status?: unknown }).status === 'number');
  if (hasStatus || ctx.observed?.badResponse !== undefined) return { unanswered: false };
  const coded = chain.filter((e) => typeof (e as { code?: unknown }).code === 'string');
  const codes = coded.map((e) => (e as { code: string }).code);
  // Our own caller stopping the run, or a URL that never parsed, is not something the server did.
  if (code === 'unknown' && chain.some((e) => e instanceof DiscoveryCancelledError)) {
    return { unanswered: false };
  }
  if (codes.includes('ERR_INVALID_URL') || codes.some(isCertificateCode)) return { unanswered: false };
  // The chain is breadth-first from the outermost error, the fetch error's causes last: the last is deepest.
  const lowest = chain.at(-1) as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  if (lowest === undefined) return { unanswered: true };
  const label = typeof lowest.code === 'string' ? lowest.code : String(lowest.name ?? 'Error');
  const text = `${label}: ${String(lowest.message ?? '')}`.slice(0, 400);
  return { unanswered: true, wireCause: redactUrlSecrets(text, ctx.url) };
}
