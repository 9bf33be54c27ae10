import type { Admission } from './lease-limiter.ts';

/**
 * The RateLimit fields of draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy` (the policy: quota `q`
 * per window `w` seconds) and `RateLimit` (its live state: remaining `r`, seconds to reset `t`), each a
 * Structured Fields List (RFC 9651) of items named by the policy, so several limits (an API key's and its
 * org's) are reported side by side. `Retry-After` (RFC 9110 §10.2.3) on a refusal. ADR 0016.
 */
export function rateLimitHeaders(a: Admission, policy: string): Record<string, string> {
  const name = JSON.stringify(policy);
  const h: Record<string, string> = {
    'ratelimit-policy': `${name};q=${a.limit};w=${a.windowSeconds}`,
    ratelimit: `${name};r=${a.remaining};t=${a.resetSeconds}`,
  };
  if (!a.allowed) h['retry-after'] = String(a.resetSeconds);
  return h;
}

const LIST_FIELDS = new Set(['ratelimit-policy', 'ratelimit']);

/**
 * Joins the headers of several limits: the RateLimit lists are concatenated (a List split over field lines
 * is one List, RFC 9651 §3.1), `Retry-After` is the longest wait, anything else the last value.
 */
export function mergeRateLimitHeaders(...sets: Readonly<Record<string, string>>[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of sets) {
    for (const [k, v] of Object.entries(set)) {
      const key = k.toLowerCase();
      const prev = out[key];
      if (prev === undefined) out[key] = v;
      else if (LIST_FIELDS.has(key)) out[key] = `${prev}, ${v}`;
      else if (key === 'retry-after') out[key] = String(Math.max(Number(prev), Number(v)));
      else out[key] = v;
    }
  }
  return out;
}
