import { describe, expect, it } from 'vitest';
import { createTtlMemo } from './ttl-memo.ts';

describe('ttl memo', () => {
  it('shares one read per key within the ttl, and reads again after it', async () => {
    let t = 0;
    let reads = 0;
    const memo = createTtlMemo<number>({ ttlMs: 100, now: () => t });
    const read = async () => ++reads;
    expect(await Promise.all([memo.get('a', read), memo.get('a', read)])).toEqual([1, 1]);
    t = 99;
    expect(await memo.get('a', read)).toBe(1);
    t = 100;
    expect(await memo.get('a', read)).toBe(2);
  });

  it('does not keep a failed read', async () => {
    const memo = createTtlMemo<number>({ ttlMs: 1_000 });
    await expect(memo.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await memo.get('a', async () => 7)).toBe(7);
  });

  it('starts over at maxEntries, so made-up keys cannot grow it', async () => {
    let reads = 0;
    const memo = createTtlMemo<number>({ ttlMs: 1_000, maxEntries: 2 });
    const read = async () => ++reads;
    await memo.get('a', read);
    await memo.get('b', read);
    await memo.get('c', read); // clears a and b
    expect(await memo.get('a', read)).toBe(4);
  });
});
