import { describe, expect, it } from 'vitest';
import { createAttemptLimiter } from './attempt-limiter.ts';
import type { CounterStore } from './lease-limiter.ts';

/** A fixed-window counter like the Postgres store, on a controllable clock, counting its round trips. */
function sharedStore(clock: { t: number }) {
  const rows = new Map<string, { points: number; expire: number }>();
  let calls = 0;
  const store: CounterStore = {
    async add(key, points) {
      calls++;
      const row = rows.get(key);
      if (row === undefined || row.expire <= clock.t) {
        rows.set(key, { points, expire: clock.t + 60_000 });
        return { total: points, msBeforeReset: 60_000 };
      }
      row.points += points;
      return { total: row.points, msBeforeReset: row.expire - clock.t };
    },
  };
  return { store, calls: () => calls, points: (k: string) => rows.get(k)?.points ?? 0 };
}

const setup = (limit: number, processes = 1) => {
  const clock = { t: 1_000_000 };
  const s = sharedStore(clock);
  const limiters = Array.from({ length: processes }, () =>
    createAttemptLimiter({ limit, windowSeconds: 60, store: s.store, now: () => clock.t }),
  );
  return { clock, limiters, ...s };
};

describe('attempt limiter', () => {
  it('lets exactly `limit` attempts of a simultaneous burst run, across processes', async () => {
    const { limiters } = setup(5, 3);
    const all = await Promise.all(Array.from({ length: 60 }, (_, i) => limiters[i % 3]!.take('k')));
    expect(all.filter((a) => a.allowed)).toHaveLength(5);
    expect(all.find((a) => !a.allowed)).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
  });

  it('counts failures only: an attempt that succeeds gives its point back', async () => {
    const { limiters, points } = setup(2);
    for (let i = 0; i < 10; i++) {
      const a = await limiters[0]!.take('k');
      expect(a.allowed).toBe(true);
      if (a.allowed) await a.succeeded();
    }
    expect(points('k')).toBe(0);
    await limiters[0]!.take('k');
    await limiters[0]!.take('k');
    expect((await limiters[0]!.take('k')).allowed).toBe(false);
  });

  it('refuses a spent key from memory until the window resets, then lets it try again', async () => {
    const { clock, limiters, calls } = setup(1);
    await limiters[0]!.take('k');
    expect(await limiters[0]!.take('k')).toMatchObject({ allowed: false });
    const before = calls();
    clock.t += 30_000;
    expect(await limiters[0]!.take('k')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(calls()).toBe(before);
    clock.t += 30_000;
    expect((await limiters[0]!.take('k')).allowed).toBe(true);
  });

  it('keeps keys apart', async () => {
    const { limiters } = setup(1);
    expect((await limiters[0]!.take('a')).allowed).toBe(true);
    expect((await limiters[0]!.take('b')).allowed).toBe(true);
    expect((await limiters[0]!.take('a')).allowed).toBe(false);
  });
});
