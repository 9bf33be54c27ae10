import { describe, expect, it } from 'vitest';
import { type CounterStore, createAttemptLimiter } from '../../platform/ratelimit/index.ts';
import { createAuthAttempts, sourceKey } from './auth-attempts.ts';

function store() {
  const rows = new Map<string, number>();
  const s: CounterStore = {
    async add(key, points) {
      rows.set(key, (rows.get(key) ?? 0) + points);
      return { total: rows.get(key)!, msBeforeReset: 60_000 };
    },
  };
  return { s, rows };
}

describe('sourceKey', () => {
  it('counts an IPv4 address as itself, a mapped one as IPv4, and an IPv6 address by its /64', () => {
    expect(sourceKey('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe(sourceKey('2001:db8:1:2:bbbb::9'));
    expect(sourceKey('2001:db8:1:2::1')).not.toBe(sourceKey('2001:db8:1:3::1'));
  });
});

describe('createAuthAttempts', () => {
  const setup = (perSource: number, perClient: number) => {
    const src = store();
    const cli = store();
    const attempts = createAuthAttempts({
      perSource: createAttemptLimiter({ limit: perSource, windowSeconds: 60, store: src.s }),
      perClient: createAttemptLimiter({ limit: perClient, windowSeconds: 60, store: cli.s }),
    });
    return { attempts, src, cli };
  };

  it('refused by the client limit, gives the source its point back', async () => {
    const { attempts, src } = setup(10, 1);
    expect((await attempts.begin({ source: '198.51.100.1', client: 'scc_a' })).allowed).toBe(true);
    expect((await attempts.begin({ source: '198.51.100.1', client: 'scc_a' })).allowed).toBe(false);
    expect(src.rows.get('source:198.51.100.1')).toBe(1);
  });

  it('keys a very long client id by its hash, never in full', async () => {
    const { attempts, cli } = setup(10, 10);
    await attempts.begin({ source: undefined, client: 'x'.repeat(10_000) });
    const [key] = [...cli.rows.keys()];
    expect(key).toMatch(/^client:sha256:[\w-]{43}$/);
  });
});
