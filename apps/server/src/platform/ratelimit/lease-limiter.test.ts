import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateLimitFields } from '../../http/problem-headers.ts';
import { type CounterStore, createLeaseLimiter } from './lease-limiter.ts';
import { rateLimitState } from './state.ts';

/** A fixed-window counter like the Postgres store, on a controllable clock, counting its round trips. */
function sharedStore(clock: { t: number }, windowMs: number) {
  const rows = new Map<string, { points: number; expire: number }>();
  let calls = 0;
  const store: CounterStore = {
    async add(key, points) {
      calls++;
      const row = rows.get(key);
      if (row === undefined || row.expire <= clock.t) {
        rows.set(key, { points, expire: clock.t + windowMs });
        return { total: points, msBeforeReset: windowMs };
      }
      row.points += points;
      return { total: row.points, msBeforeReset: row.expire - clock.t };
    },
  };
  return { store, calls: () => calls };
}

const setup = (limit: number, processes = 1) => {
  const clock = { t: 1_000_000 };
  const s = sharedStore(clock, 60_000);
  const limiters = Array.from({ length: processes }, () =>
    createLeaseLimiter({ limit, windowSeconds: 60, store: s.store, now: () => clock.t }),
  );
  return { clock, limiters, calls: s.calls };
};

describe('lease limiter', () => {
  it('serves most requests far from the limit without a store round trip', async () => {
    const { limiters, calls } = setup(600);
    for (let i = 0; i < 60; i++) expect((await limiters[0]!.admit('k')).allowed).toBe(true);
    expect(calls()).toBe(1);
  });

  it('never admits more than the limit, however requests are split between processes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 400 }),
        async (limit, order) => {
          const { limiters } = setup(limit, 4);
          let admitted = 0;
          for (const p of order) if ((await limiters[p]!.admit('k')).allowed) admitted++;
          expect(admitted).toBeLessThanOrEqual(limit);
          // One process alone is exact: every request up to the limit is admitted.
          const solo = setup(limit, 1);
          let soloAdmitted = 0;
          for (let i = 0; i < order.length; i++)
            if ((await solo.limiters[0]!.admit('k')).allowed) soloAdmitted++;
          expect(soloAdmitted).toBe(Math.min(limit, order.length));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts exactly across processes near the limit (a tiny limit reserves one point at a time)', async () => {
    const { limiters } = setup(5, 2);
    const results: boolean[] = [];
    for (let i = 0; i < 8; i++) results.push((await limiters[i % 2]!.admit('k')).allowed);
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('answers 429 locally once the window is spent, and admits again after the reset', async () => {
    const { clock, limiters, calls } = setup(3);
    for (let i = 0; i < 3; i++) await limiters[0]!.admit('k');
    const refused = await limiters[0]!.admit('k');
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    const before = calls();
    for (let i = 0; i < 10; i++) expect((await limiters[0]!.admit('k')).allowed).toBe(false);
    expect(calls()).toBe(before);
    clock.t += 60_000;
    expect((await limiters[0]!.admit('k')).allowed).toBe(true);
  });

  it('keeps keys apart', async () => {
    const { limiters } = setup(1);
    expect((await limiters[0]!.admit('a')).allowed).toBe(true);
    expect((await limiters[0]!.admit('b')).allowed).toBe(true);
    expect((await limiters[0]!.admit('a')).allowed).toBe(false);
  });

  it('lets concurrent requests of one process share a single reservation', async () => {
    const { limiters, calls } = setup(600);
    const all = await Promise.all(Array.from({ length: 20 }, () => limiters[0]!.admit('k')));
    expect(all.every((a) => a.allowed)).toBe(true);
    expect(calls()).toBe(1);
  });

  it('reports the draft RateLimit-Policy and RateLimit fields, and Retry-After on a refusal', async () => {
    const { clock, limiters } = setup(2);
    const first = await limiters[0]!.admit('k');
    expect(rateLimitFields([rateLimitState(first, 'api-key')])).toEqual({
      'ratelimit-policy': '"api-key";q=2;w=60',
      ratelimit: '"api-key";r=1;t=60',
    });
    await limiters[0]!.admit('k');
    clock.t += 15_500;
    const refused = rateLimitFields([rateLimitState(await limiters[0]!.admit('k'), 'api-key')]);
    expect(refused).toEqual({
      'ratelimit-policy': '"api-key";q=2;w=60',
      ratelimit: '"api-key";r=0;t=45',
      'retry-after': '45',
    });
  });
});

describe('lease limiter, answering at once (admitNow)', () => {
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('admits exactly the limit within one process, even in one synchronous burst', () => {
    const { limiters } = setup(10);
    const burst = Array.from({ length: 25 }, () => limiters[0]!.admitNow('k'));
    expect(burst.filter((a) => a.allowed)).toHaveLength(10);
    expect(burst.at(-1)).toMatchObject({ allowed: false, remaining: 0 });
    expect(burst.at(-1)!.resetSeconds).toBeGreaterThan(0);
  });

  it('shares the count across processes through the store, overshooting at most by what was not yet reported', async () => {
    const { limiters } = setup(10, 2);
    let admitted = 0;
    for (let i = 0; i < 40; i++) {
      if (limiters[i % 2]!.admitNow('k').allowed) admitted++;
      await settle();
    }
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(11);
  });

  it('never refuses because the store is slow: it counts locally meanwhile', () => {
    const hanging: CounterStore = { add: () => new Promise(() => undefined) };
    const l = createLeaseLimiter({ limit: 3, windowSeconds: 60, store: hanging, now: () => 0 });
    expect([1, 2, 3, 4].map(() => l.admitNow('k').allowed)).toEqual([true, true, true, false]);
  });

  it('admits again after the window resets', async () => {
    const { clock, limiters } = setup(2);
    for (let i = 0; i < 3; i++) {
      limiters[0]!.admitNow('k');
      await settle();
    }
    expect(limiters[0]!.admitNow('k').allowed).toBe(false);
    clock.t += 60_001;
    expect(limiters[0]!.admitNow('k').allowed).toBe(true);
  });
});
