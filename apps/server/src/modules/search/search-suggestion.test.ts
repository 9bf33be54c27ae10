import type { SearchResult } from '@sprintconnect/contracts';
import { describe, expect, it } from 'vitest';
import { planSearch } from './search-plan.ts';
import { fuzzyAlternative, performed, searchHref, suggestedNames } from './search-suggestion.ts';

const item = (...names: string[]) =>
  ({ matches: names.map((name) => ({ name })) }) as SearchResult['items'][number];

describe('the fuzzy suggestion (issue 10, point 3)', () => {
  it('is the same search with fuzzy, from its first page', () => {
    const plan = planSearch({ capability: 'numbrs', environment: 'staging', cursor: undefined });
    const alt = fuzzyAlternative(plan);
    expect(alt).toEqual({ ...plan, fuzzy: true, after: null });
    expect(performed(alt!)).toEqual({
      capabilities: ['numbrs'],
      fuzzy: true,
      environment: 'staging',
      tags: [],
      limit: 20,
    });
  });

  it('is none for a search that was fuzzy already', () => {
    expect(fuzzyAlternative(planSearch({ capability: 'numbrs', fuzzy: true }))).toBeNull();
  });

  it('links to that search with every filter, the terms encoded, the default limit left out', () => {
    const plan = planSearch({ capability: 'a&b, c d,get_x', fuzzy: true, tags: 'Team-1,public', limit: 5 });
    const href = searchHref(plan);
    expect(href).toBe(
      '/v1/discovery/servers?capability=a%26b%2Cc+d%2Cget_x&fuzzy=true&tags=team-1%2Cpublic&limit=5',
    );
    const back = new URLSearchParams(href.split('?')[1]);
    expect(back.get('capability')).toBe('a&b,c d,get_x');
    expect(searchHref(planSearch({ capability: 'x' }))).toBe('/v1/discovery/servers?capability=x');
  });

  it('names the best matches in order, each once, at most five', () => {
    expect(suggestedNames([item('a', 'b'), item('b', 'c'), item('d', 'e', 'f', 'g')])).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(suggestedNames([])).toEqual([]);
  });
});
