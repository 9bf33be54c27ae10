import { describe, expect, it } from 'vitest';
import { backoffSeconds, decideRetry, type RetryPolicy } from './retry-policy.ts';

const POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelaySeconds: 2,
  maxDelaySeconds: 60,
  maxRetryAfterSeconds: 900,
};
const low = () => 0;
const high = () => 0.999999;

describe('backoff', () => {
  it('doubles per attempt, with equal jitter between half and all of it', () => {
    expect([1, 2, 3, 4].map((a) => backoffSeconds(POLICY, a, low))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((a) => backoffSeconds(POLICY, a, high))).toEqual([2, 4, 8, 16]);
  });

  it('never grows past the cap, and never drops below a second', () => {
    expect(backoffSeconds(POLICY, 30, high)).toBe(60);
    expect(backoffSeconds({ ...POLICY, baseDelaySeconds: 0.1 }, 1, low)).toBe(1);
  });
});

describe('what follows a failed attempt', () => {
  it('a failure no retry can fix ends the job', () => {
    expect(decideRetry(POLICY, { attempt: 1, retryable: false })).toEqual({
      final: true,
      reason: 'not_retryable',
    });
  });

  it('the last attempt ends the job', () => {
    expect(decideRetry(POLICY, { attempt: 3, retryable: true })).toEqual({
      final: true,
      reason: 'attempts_spent',
    });
  });

  it('a retryable failure waits for its backoff', () => {
    expect(decideRetry(POLICY, { attempt: 1, retryable: true }, high)).toEqual({
      final: false,
      delaySeconds: 2,
    });
  });

  it("an upstream's Retry-After is a floor: the next attempt starts no sooner, whatever the backoff", () => {
    expect(decideRetry(POLICY, { attempt: 1, retryable: true, retryAfterSeconds: 30 }, high)).toEqual({
      final: false,
      delaySeconds: 30,
    });
    expect(decideRetry(POLICY, { attempt: 1, retryable: true, retryAfterSeconds: 2.2 }, low)).toEqual({
      final: false,
      delaySeconds: 3,
    });
    expect(decideRetry(POLICY, { attempt: 2, retryable: true, retryAfterSeconds: 1 }, high)).toEqual({
      final: false,
      delaySeconds: 4,
    });
  });

  it('a Retry-After longer than the policy waits ends the job instead of retrying early', () => {
    expect(decideRetry(POLICY, { attempt: 1, retryable: true, retryAfterSeconds: 3600 })).toEqual({
      final: true,
      reason: 'retry_after_too_long',
    });
  });
});
