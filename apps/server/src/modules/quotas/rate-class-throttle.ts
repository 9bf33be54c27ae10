import { orgScopedKey } from '../../kernel/index.ts';
import type { LeaseLimiter } from '../../platform/ratelimit/index.ts';
import { INVOCATION_CLASSES } from './invocation-classes.ts';

/**
 * The rate classes a policy obligation can hold a caller to (`@obligation_throttle`, docs/policies.md): one
 * shared per-minute limit per class, counted per caller; `unlimited` (and a class nobody defined) has none.
 * Answered at once (`admitNow`): the guard that applies the obligation is synchronous.
 */
export type RateClassThrottle = (
  who: { orgId: string; kind: string; id: string },
  rateClass: string,
) => { allowed: boolean; retryAfterSeconds: number };

export function createRateClassThrottle(
  perMinute: (limit: number, keyPrefix: string) => LeaseLimiter,
): RateClassThrottle {
  const limiters = new Map(
    Object.entries(INVOCATION_CLASSES).flatMap(([name, c]) =>
      c.perMinute === null ? [] : [[name, perMinute(c.perMinute, `rate_class_${name}`)] as const],
    ),
  );
  return (who, rateClass) => {
    const limiter = limiters.get(rateClass);
    if (limiter === undefined) return { allowed: true, retryAfterSeconds: 0 };
    const a = limiter.admitNow(orgScopedKey(who.orgId, who.kind, who.id));
    return { allowed: a.allowed, retryAfterSeconds: a.resetSeconds };
  };
}
