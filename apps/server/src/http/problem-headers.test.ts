import { describe, expect, it } from 'vitest';
import type { RateLimitState } from '../kernel/index.ts';
import { errorHeaders, rateLimitFields, renderChallenge } from './problem-headers.ts';

const limit = (policy: string, o: Partial<RateLimitState>): RateLimitState => ({
  policy,
  allowed: true,
  limit: 10,
  remaining: 9,
  resetSeconds: 30,
  windowSeconds: 60,
  ...o,
});

describe('RateLimit fields', () => {
  it('names each policy, so the key and org limits are reported side by side as one list', () => {
    const merged = rateLimitFields([
      limit('api-key', {}),
      limit('org', { limit: 100, remaining: 40, resetSeconds: 12 }),
    ]);
    expect(merged).toEqual({
      'ratelimit-policy': '"api-key";q=10;w=60, "org";q=100;w=60',
      ratelimit: '"api-key";r=9;t=30, "org";r=40;t=12',
    });
  });

  it('a refusal by any limit sets Retry-After to the longest wait', () => {
    const merged = rateLimitFields([limit('api-key', { allowed: false, remaining: 0, resetSeconds: 5 })], 20);
    expect(merged['retry-after']).toBe('20');
    expect(rateLimitFields([limit('org', { allowed: false, resetSeconds: 45 })])['retry-after']).toBe('45');
    expect(rateLimitFields([limit('org', {})])['retry-after']).toBeUndefined();
  });
});

describe('WWW-Authenticate challenges', () => {
  it('writes the auth-params in one order, max_age as a number, every other value quoted', () => {
    expect(
      renderChallenge({
        scheme: 'Bearer',
        error: 'insufficient_user_authentication',
        description: 'A recent sign-in is required',
        maxAge: 600,
      }),
    ).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A recent sign-in is required", max_age=600',
    );
    expect(
      renderChallenge({
        scheme: 'DPoP',
        realm: 'sprintconnect',
        error: 'invalid_dpop_proof',
        description: 'DPoP proof replayed',
        algs: ['ES256', 'EdDSA'],
        resourceMetadata: 'https://sc.example/.well-known/oauth-protected-resource/v1',
      }),
    ).toBe(
      'DPoP realm="sprintconnect", error="invalid_dpop_proof", error_description="DPoP proof replayed", ' +
        'algs="ES256 EdDSA", resource_metadata="https://sc.example/.well-known/oauth-protected-resource/v1"',
    );
    expect(renderChallenge({ scheme: 'Bearer', realm: 'sprintconnect-cron' })).toBe(
      'Bearer realm="sprintconnect-cron"',
    );
  });

  it('never lets a value end its quoted-string', () => {
    expect(renderChallenge({ scheme: 'Bearer', realm: 'a"b\\c' })).toBe(`Bearer realm="a'b'c"`);
  });

  it('an error without challenge, limits or wait asks for no header', () => {
    expect(
      errorHeaders({ challenge: undefined, rateLimits: undefined, retryAfterSeconds: undefined }),
    ).toEqual({});
    expect(errorHeaders({ challenge: undefined, rateLimits: undefined, retryAfterSeconds: 5 })).toEqual({
      'retry-after': '5',
    });
  });
});
