import { describe, expect, it } from 'vitest';
import { mergeRateLimitHeaders, rateLimitHeaders } from './headers.ts';
import type { Admission } from './lease-limiter.ts';

const admission = (o: Partial<Admission>): Admission => ({
  allowed: true,
  limit: 10,
  remaining: 9,
  resetSeconds: 30,
  windowSeconds: 60,
  ...o,
});

describe('RateLimit fields', () => {
  it('names each policy, so the key and org limits are reported side by side as one list', () => {
    const merged = mergeRateLimitHeaders(
      rateLimitHeaders(admission({}), 'api-key'),
      rateLimitHeaders(admission({ limit: 100, remaining: 40, resetSeconds: 12 }), 'org'),
    );
    expect(merged).toEqual({
      'ratelimit-policy': '"api-key";q=10;w=60, "org";q=100;w=60',
      ratelimit: '"api-key";r=9;t=30, "org";r=40;t=12',
    });
  });

  it('a refusal by any limit sets Retry-After to the longest wait', () => {
    const merged = mergeRateLimitHeaders(
      rateLimitHeaders(admission({ allowed: false, remaining: 0, resetSeconds: 5 }), 'api-key'),
      { 'retry-after': '20' },
    );
    expect(merged['retry-after']).toBe('20');
    expect(rateLimitHeaders(admission({}), 'org')['retry-after']).toBeUndefined();
  });
});
