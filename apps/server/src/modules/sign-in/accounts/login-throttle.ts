/**
 * Backoff for failed password sign-ins, per account, kept in the database (so every replica sees it): the first
 * FREE_FAILURES failures cost nothing, then each further failure doubles the wait before the next attempt, up to
 * MAX_DELAY_MS. A success resets the count. Slows online guessing without letting a stranger lock an owner out
 * for long (OWASP Authentication Cheat Sheet, "Account lockout").
 */
export const FREE_FAILURES = 3;
export const MAX_DELAY_MS = 15 * 60 * 1000;

export function nextAttemptAfter(failures: number, now: Date): Date | null {
  if (failures <= FREE_FAILURES) return null;
  const delay = Math.min(1000 * 2 ** (failures - FREE_FAILURES - 1), MAX_DELAY_MS);
  return new Date(now.getTime() + delay);
}

/** Seconds to wait, rounded up, or 0 when an attempt is allowed now. */
export function retryAfterSeconds(lockedUntil: Date | null, now: Date): number {
  if (lockedUntil === null) return 0;
  const ms = lockedUntil.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}
