import { describe, expect, it } from 'vitest';
import { readUsageFilter } from './usage-filter.ts';

describe('readUsageFilter', () => {
  it('reads the window as dates and passes the exact-match filters on', () => {
    expect(
      readUsageFilter({ from: '2026-11-01T00:00:00+01:00', to: '2026-11-02T00:00:00Z', tool: 'echo' }),
    ).toEqual({
      from: new Date('2026-10-31T23:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
      tool: 'echo',
      server: undefined,
      principal: undefined,
      outcome: undefined,
      endpoint: undefined,
    });
  });

  it('refuses dates that do not exist and a window that ends before it starts, naming each field', () => {
    const fields = (q: Parameters<typeof readUsageFilter>[0]) => {
      try {
        readUsageFilter(q);
        return [];
      } catch (e) {
        return (e as { errors: { pointer: string }[] }).errors.map((f) => f.pointer);
      }
    };
    expect(fields({ from: '2026-02-30T00:00:00Z' })).toEqual(['/from']);
    expect(fields({ from: '2026-02-29T00:00:00Z', to: '2026-04-31T00:00:00Z' })).toEqual(['/from', '/to']);
    expect(fields({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' })).toEqual(['/from']);
    expect(fields({ from: '2028-02-29T00:00:00Z', to: '2028-02-29T00:00:00Z' })).toEqual([]);
  });
});
