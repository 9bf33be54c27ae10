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
});
