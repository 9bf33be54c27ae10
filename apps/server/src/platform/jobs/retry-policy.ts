/**
 * When a failed attempt is tried again, and when it is not. Pure: the runner hands in the attempt and the
 * failure, and stores what comes back (next_attempt_at, the queue message's start time).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Backoff before the second attempt; it doubles for each later one (exponential backoff). */
  readonly baseDelaySeconds: number;
  /** Backoff never grows past this. */
  readonly maxDelaySeconds: number;
  /**
   * The longest an upstream's `Retry-After` is waited for. Asked to wait longer, the job fails now (still
   * marked retryable) rather than hold a waiting job for hours or retry sooner than it was told to.
   */
  readonly maxRetryAfterSeconds: number;
}

export type RetryDecision =
  | { final: false; delaySeconds: number }
  | { final: true; reason: 'not_retryable' | 'attempts_spent' | 'retry_after_too_long' };

/**
 * Backoff after failed attempt `attempt` (1-based): `base * 2^(attempt-1)`, capped, with "equal jitter" (half
 * fixed, half random) so a burst of failures does not come back as a burst. Whole seconds, rounded up: the
 * queue schedules in seconds, and rounding down could start an attempt before an upstream's Retry-After.
 */
export function backoffSeconds(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.ceil(exp / 2 + (exp / 2) * random()));
}

/**
 * What follows failed attempt `attempt`. A `Retry-After` (RFC 9110 §10.2.3) is a floor: the next attempt
 * starts no sooner, whatever the backoff says (issue 8, point 18).
 */
export function decideRetry(
  policy: RetryPolicy,
  failure: { attempt: number; retryable: boolean; retryAfterSeconds?: number | undefined },
  random: () => number = Math.random,
): RetryDecision {
  if (!failure.retryable) return { final: true, reason: 'not_retryable' };
  if (failure.attempt >= policy.maxAttempts) return { final: true, reason: 'attempts_spent' };
  const after = failure.retryAfterSeconds;
  if (after !== undefined && after > policy.maxRetryAfterSeconds) {
    return { final: true, reason: 'retry_after_too_long' };
  }
  const backoff = backoffSeconds(policy, failure.attempt, random);
  return { final: false, delaySeconds: Math.max(backoff, after === undefined ? 0 : Math.ceil(after)) };
}
