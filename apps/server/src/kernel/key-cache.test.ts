import { describe, expect, it } from 'vitest';
import { createKeyCache } from './key-cache.ts';

describe('API key cache', () => {
  it('returns a stored entry until its TTL passes', () => {
    const c = createKeyCache<string>({ maxEntries: 10, ttlMs: 1000 });
    c.set('h1', 'k1', 'v1', 0, c.generation());
    expect(c.get('h1', 999)).toBe('v1');
    expect(c.get('h1', 1000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('drops an entry when its key id is invalidated (revocation)', () => {
    const c = createKeyCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    c.set('h1', 'k1', 'v1', 0, c.generation());
    c.set('h2', 'k2', 'v2', 0, c.generation());
    c.invalidate('k1');
    expect(c.get('h1', 1)).toBeUndefined();
    expect(c.get('h2', 1)).toBe('v2');
  });

  it('refuses to store a lookup that raced with an invalidation', () => {
    const c = createKeyCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    const before = c.generation();
    c.invalidate('k1'); // the revocation notice arrives while the database lookup is in flight
    c.set('h1', 'k1', 'stale', 0, before);
    expect(c.get('h1', 1)).toBeUndefined();
  });

  it('stays within its size bound, evicting the least recently used', () => {
    const c = createKeyCache<string>({ maxEntries: 2, ttlMs: 60_000 });
    c.set('h1', 'k1', 'v1', 0, c.generation());
    c.set('h2', 'k2', 'v2', 0, c.generation());
    c.get('h1', 1);
    c.set('h3', 'k3', 'v3', 0, c.generation());
    expect(c.size).toBe(2);
    expect(c.get('h2', 1)).toBeUndefined();
    expect(c.get('h1', 1)).toBe('v1');
    expect(c.get('h3', 1)).toBe('v3');
  });

  it('forgets everything on clear (a listener that reconnected may have missed notices)', () => {
    const c = createKeyCache<string>({ maxEntries: 10, ttlMs: 60_000 });
    c.set('h1', 'k1', 'v1', 0, c.generation());
    c.clear();
    expect(c.get('h1', 1)).toBeUndefined();
  });
});
