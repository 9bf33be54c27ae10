import { describe, expect, it } from 'vitest';
import { FREE_FAILURES, MAX_DELAY_MS, nextAttemptAfter, retryAfterSeconds } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password.ts';

const now = new Date('2026-01-01T00:00:00Z');

describe('failed sign-in backoff', () => {
  it('lets the first failures pass, then doubles the wait, capped at 15 minutes', () => {
    expect(nextAttemptAfter(FREE_FAILURES, now)).toBeNull();
    const delay = (n: number) => nextAttemptAfter(n, now)!.getTime() - now.getTime();
    expect(delay(FREE_FAILURES + 1)).toBe(1000);
    expect(delay(FREE_FAILURES + 2)).toBe(2000);
    expect(delay(FREE_FAILURES + 3)).toBe(4000);
    expect(delay(FREE_FAILURES + 40)).toBe(MAX_DELAY_MS);
  });

  it('reports the wait in whole seconds, rounded up, and 0 once it has passed', () => {
    expect(retryAfterSeconds(new Date(now.getTime() + 1500), now)).toBe(2);
    expect(retryAfterSeconds(new Date(now.getTime() - 1), now)).toBe(0);
    expect(retryAfterSeconds(null, now)).toBe(0);
  });
});

describe('passwords', () => {
  it('are hashed with Argon2id and verify only with the same password', async () => {
    const h = await hashPassword('correct horse battery staple');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(h, 'Correct horse battery staple')).toBe(false);
  });

  it('an account without a password never verifies, and a corrupt hash is a plain failure', async () => {
    expect(await verifyPassword(null, 'anything')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });
});
