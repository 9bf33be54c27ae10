import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thresholdsReached, verdict } from './budget-rules.ts';

describe('budget rules', () => {
  it('reports 80% and 100% exactly when reached, in integers', () => {
    expect(thresholdsReached(3, 5)).toEqual([]);
    expect(thresholdsReached(4, 5)).toEqual([80]);
    expect(thresholdsReached(5, 5)).toEqual([80, 100]);
    expect(thresholdsReached(799, 1000)).toEqual([]);
    expect(thresholdsReached(800, 1000)).toEqual([80]);
  });

  it('a threshold once reached stays reached as usage grows', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), fc.integer({ min: 1, max: 10_000 }), (a, more, limit) => {
        for (const t of thresholdsReached(a, limit)) expect(thresholdsReached(a + more, limit)).toContain(t);
      }),
    );
  });

  it('refuses in block mode and throttles in throttle mode only once the budget is used up', () => {
    expect(verdict(9, 10, 'block')).toBe('within');
    expect(verdict(10, 10, 'block')).toBe('blocked');
    expect(verdict(10, 10, 'throttle')).toBe('throttled');
    expect(verdict(0, 0, 'block')).toBe('blocked');
  });
});
