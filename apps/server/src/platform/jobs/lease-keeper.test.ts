import { describe, expect, it } from 'vitest';
import { createLeaseKeeper, type LeaseLostError } from './lease-keeper.ts';

const TIMING = { ttlMs: 6000, heartbeatMs: 2000 };

function keeperWith(extend: (ttlMs: number) => Promise<Set<string>>, clock = { t: 0 }) {
  return createLeaseKeeper({ extend, timing: TIMING, now: () => clock.t });
}

describe('the lease keeper', () => {
  it('keeps a lease the heartbeat extended, and aborts one it did not extend (lapsed or taken over)', async () => {
    const lost: string[] = [];
    const keeper = keeperWith(async () => new Set(['a']));
    keeper.hold('a', () => lost.push('a'));
    keeper.hold('b', (e: LeaseLostError) => lost.push(`b: ${e.name}`));
    await keeper.beat();
    expect(lost).toEqual(['b: LeaseLostError']);
    expect(keeper.held()).toBe(1);
  });

  it('does not lose a lease claimed while a heartbeat was on its way', async () => {
    const lost: string[] = [];
    let keeperRef: ReturnType<typeof keeperWith> | undefined;
    const keeper = keeperWith(async () => {
      // Claimed after the statement was sent: its answer cannot contain it.
      keeperRef?.hold('late', () => lost.push('late'));
      return new Set(['early']);
    });
    keeperRef = keeper;
    keeper.hold('early', () => lost.push('early'));
    await keeper.beat();
    expect(lost).toEqual([]);
    expect(keeper.held()).toBe(2);
  });

  it('stops an attempt whose heartbeats cannot reach the database before its lease runs out there', async () => {
    const clock = { t: 0 };
    const lost: string[] = [];
    const keeper = keeperWith(async () => {
      throw new Error('database away');
    }, clock);
    keeper.hold('a', () => lost.push('a'));
    clock.t = 2000;
    await keeper.beat();
    expect(lost).toEqual([]);
    clock.t = 5000;
    await keeper.beat();
    expect(lost).toEqual(['a']);
  });

  it('forgets a released lease', async () => {
    const lost: string[] = [];
    const keeper = keeperWith(async () => new Set());
    const release = keeper.hold('a', () => lost.push('a'));
    release();
    await keeper.beat();
    expect(lost).toEqual([]);
    expect(keeper.held()).toBe(0);
  });
});
