import type { SearchResult } from '@sprintconnect/sdk';
import { describe, expect, it } from 'vitest';
import { formatSearch } from './search.ts';

const query = { capabilities: ['status'], fuzzy: false, environment: null, tags: [], limit: 20 };
const result = (r: Pick<SearchResult, 'total' | 'totalIsLowerBound'>): SearchResult => ({
  query,
  items: [],
  nextCursor: null,
  ...r,
});

describe('search output', () => {
  it('shows a total the API only counted up to (totalIsLowerBound) as at least that many', () => {
    expect(formatSearch(result({ total: 1000, totalIsLowerBound: true }))).toBe('1000+ servers with status');
    expect(formatSearch(result({ total: 1000 }))).toBe('1000 servers with status');
  });

  it('says how many capabilities a policy withholds on a server it shows, and only when it withholds some', () => {
    const server = (name: string) => ({
      id: `0190b8a4-0000-7000-8000-00000000000${name.length}`,
      name,
      url: `https://${name}.example/mcp`,
      environment: 'development' as const,
      tags: [],
      description: '',
      status: 'active' as const,
      links: { self: '', capabilities: '' },
    });
    const item = (name: string, withheld: number) => ({
      server: server(name),
      score: 1,
      withheld,
      matches: [],
    });
    const shown = formatSearch({ ...result({ total: 2 }), items: [item('ops', 2), item('weather', 0)] });
    expect(shown).toMatch(/WITHHELD/);
    expect(shown.split('\n').find((l) => l.startsWith('ops'))).toMatch(/ 2$/);
    expect(shown.split('\n').find((l) => l.startsWith('weather'))).toMatch(/ 0$/);
    const none = formatSearch({ ...result({ total: 1 }), items: [item('weather', 0)] });
    expect(none).not.toMatch(/WITHHELD/);
  });
});
