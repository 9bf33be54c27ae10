import type { AppError, Challenge, RateLimitState } from '../kernel/index.ts';

/**
 * The one place the response headers an error (or an admission) asks for are written (ADR 0034): modules hand
 * over data, a challenge or the limits a request was held to, and never a header.
 */

/**
 * Auth-params are quoted-strings (RFC 9110 §11.2); a quote or backslash is replaced rather than escaped, so a
 * value never needs unescaping and never ends the string early. Values are constants or catalogue titles.
 */
const quote = (s: string) => `"${s.replace(/["\\]/g, "'")}"`;

/** `WWW-Authenticate` (RFC 9110 §11.6.1), its parameters in one fixed order. */
export function renderChallenge(c: Challenge): string {
  const params = [
    ...(c.realm === undefined ? [] : [`realm=${quote(c.realm)}`]),
    ...(c.error === undefined ? [] : [`error=${quote(c.error)}`]),
    ...(c.description === undefined ? [] : [`error_description=${quote(c.description)}`]),
    ...(c.scope === undefined ? [] : [`scope=${quote(c.scope)}`]),
    // RFC 9470 §3 writes max_age as a token (a number), unquoted.
    ...(c.maxAge === undefined ? [] : [`max_age=${Math.trunc(c.maxAge)}`]),
    ...(c.algs === undefined ? [] : [`algs=${quote(c.algs.join(' '))}`]),
    ...(c.resourceMetadata === undefined ? [] : [`resource_metadata=${quote(c.resourceMetadata)}`]),
  ];
  return params.length === 0 ? c.scheme : `${c.scheme} ${params.join(', ')}`;
}

/**
 * The RateLimit fields of draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy` (quota `q` per window
 * `w` seconds) and `RateLimit` (remaining `r`, seconds to reset `t`), each a Structured Fields List (RFC 9651)
 * of items named by the policy, so several limits (an API key's and its org's) are reported side by side.
 * `Retry-After` (RFC 9110 §10.2.3) is the longest wait of the limits that refused, or of `retryAfterSeconds`.
 * ADR 0016.
 */
export function rateLimitFields(
  limits: readonly RateLimitState[],
  retryAfterSeconds?: number,
): Record<string, string> {
  const h: Record<string, string> = {};
  if (limits.length > 0) {
    h['ratelimit-policy'] = limits
      .map((l) => `${JSON.stringify(l.policy)};q=${l.limit};w=${l.windowSeconds}`)
      .join(', ');
    h.ratelimit = limits
      .map((l) => `${JSON.stringify(l.policy)};r=${l.remaining};t=${l.resetSeconds}`)
      .join(', ');
  }
  const waits = [
    ...limits.filter((l) => !l.allowed).map((l) => l.resetSeconds),
    ...(retryAfterSeconds === undefined ? [] : [retryAfterSeconds]),
  ];
  if (waits.length > 0) h['retry-after'] = String(Math.max(...waits));
  return h;
}

/** The headers an error asks for: its challenge, its limits and how long to wait. */
export function errorHeaders(
  e: Pick<AppError<string>, 'challenge' | 'rateLimits' | 'retryAfterSeconds'>,
): Record<string, string> {
  return {
    ...rateLimitFields(e.rateLimits ?? [], e.retryAfterSeconds),
    ...(e.challenge === undefined ? {} : { 'www-authenticate': renderChallenge(e.challenge) }),
  };
}
