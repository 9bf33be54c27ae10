import { describe, expect, it } from 'vitest';
import { createJtiBatcher, type PendingProof } from './jti-batcher.ts';

/** A store like the table: a key is new once; calls are recorded and held until released. */
function fakeStore() {
  const seen = new Set<string>();
  const calls: string[][] = [];
  let release: (() => void)[] = [];
  const insert = async (proofs: readonly PendingProof[]) => {
    calls.push(proofs.map((p) => p.key));
    await new Promise<void>((r) => release.push(r));
    const fresh = new Set<string>();
    for (const p of proofs) if (!seen.has(p.key)) fresh.add(p.key) && seen.add(p.key);
    return fresh;
  };
  const flush = () => {
    const r = release;
    release = [];
    for (const f of r) f();
  };
  return { insert, calls, flush };
}

const exp = new Date('2026-01-01T00:01:10Z');
const tick = () => new Promise((r) => setImmediate(r));

describe('createJtiBatcher (ADR 0017)', () => {
  it('sends a lone proof at once, without waiting for company', async () => {
    const store = fakeStore();
    const record = createJtiBatcher(store.insert);
    const p = record('a', exp);
    expect(store.calls).toEqual([['a']]);
    store.flush();
    expect(await p).toBe(true);
  });

  it('sends the proofs that arrive while a batch is in flight together, in one call', async () => {
    const store = fakeStore();
    const record = createJtiBatcher(store.insert);
    const first = record('a', exp);
    const rest = [record('b', exp), record('c', exp), record('d', exp)];
    expect(store.calls).toEqual([['a']]);
    store.flush();
    await tick();
    expect(store.calls).toEqual([['a'], ['b', 'c', 'd']]);
    store.flush();
    expect(await Promise.all([first, ...rest])).toEqual([true, true, true, true]);
  });

  it('a proof seen before is a replay, whether in an earlier batch or twice in one batch', async () => {
    const store = fakeStore();
    const record = createJtiBatcher(store.insert);
    const first = record('a', exp);
    const again = [record('a', exp), record('a', exp), record('b', exp)];
    store.flush();
    await tick();
    store.flush();
    expect(await first).toBe(true);
    expect(await Promise.all(again)).toEqual([false, false, true]);
  });

  it('two identical proofs waiting in one batch: exactly one wins', async () => {
    const store = fakeStore();
    const record = createJtiBatcher(store.insert);
    const blocker = record('x', exp);
    const twins = [record('t', exp), record('t', exp)];
    store.flush();
    await tick();
    store.flush();
    await blocker;
    expect((await Promise.all(twins)).sort()).toEqual([false, true]);
  });

  it('a failed insert fails every request of its batch, and the next batch still runs', async () => {
    let fail = true;
    const record = createJtiBatcher(async (proofs) => {
      if (fail) throw new Error('database down');
      return new Set(proofs.map((p) => p.key));
    });
    await expect(record('a', exp)).rejects.toThrow('database down');
    fail = false;
    expect(await record('b', exp)).toBe(true);
  });

  it('splits a large queue into batches of at most maxBatch', async () => {
    const store = fakeStore();
    const record = createJtiBatcher(store.insert, 2);
    const all = [record('a', exp), record('b', exp), record('c', exp), record('d', exp), record('e', exp)];
    for (let i = 0; i < 4; i++) {
      store.flush();
      await tick();
    }
    expect(store.calls).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
    expect(await Promise.all(all)).toEqual([true, true, true, true, true]);
  });
});
