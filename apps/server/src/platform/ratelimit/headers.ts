import type { Admission } from './lease-limiter.ts';

/**
 * RateLimit header fields as in draft-ietf-httpapi-ratelimit-headers-07 (`RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` in delta-seconds, and `RateLimit-Policy`), plus `Retry-After`
 * (RFC 9110 §10.2.3) on a refusal.
 */
export function rateLimitHeaders(a: Admission): Record<string, string> {
  const h: Record<string, string> = {
    'ratelimit-limit': String(a.limit),
    'ratelimit-remaining': String(a.remaining),
    'ratelimit-reset': String(a.resetSeconds),
    'ratelimit-policy': `${a.limit};w=${a.windowSeconds}`,
  };
  if (!a.allowed) h['retry-after'] = String(a.resetSeconds);
  return h;
}
