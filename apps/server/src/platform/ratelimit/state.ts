import type { RateLimitState } from '../../kernel/index.ts';
import type { Admission } from './lease-limiter.ts';

/** An admission as the limit it reports, named by its policy; the HTTP adapter renders the RateLimit fields. */
export const rateLimitState = (a: Admission, policy: string): RateLimitState => ({
  policy,
  allowed: a.allowed,
  limit: a.limit,
  windowSeconds: a.windowSeconds,
  remaining: a.remaining,
  resetSeconds: a.resetSeconds,
});
