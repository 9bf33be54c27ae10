import type { SearchResult } from '@sprintconnect/contracts';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/index.ts';
import { isIndexedWord, MAX_LIMIT, MAX_TERMS, planSearch } from './search-plan.ts';
import { performed, searchHref, suggestedNames } from './search-suggestion.ts';

function fieldErrors(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (isAppError(e) && e.code === 'validation_failed') return e.errors ?? [];
    throw e;
  }
  throw new Error('expected a validation error');
}

describe('search plan bounds', () => {
  it('indexes words of up to 100 characters, counted as characters rather than UTF-16 units', () => {
    expect(isIndexedWord('a'.repeat(100))).toBe(true);
    expect(isIndexedWord('a'.repeat(101))).toBe(false);
    expect(isIndexedWord('𝒶'.repeat(100))).toBe(true);
  });

  it('asks for a capability when none is named', () => {
    expect(fieldErrors(() => planSearch({} as never))).toEqual([
      { pointer: '/capability', detail: 'name at least one capability' },
    ]);
  });

  it('refuses an invalid query as one validation problem saying the search query is invalid, with every field error', () => {
    try {
      planSearch({ capability: '', limit: 0 });
    } catch (e) {
      if (!isAppError(e)) throw e;
      expect([e.code, e.detail, e.errors?.map((x) => x.pointer)]).toEqual([
        'validation_failed',
        'The search query is invalid.',
        ['/capability', '/limit'],
      ]);
      return;
    }
    throw new Error('expected a validation error');
  });

  it('names the position of an empty term, counting from 1', () => {
    expect(fieldErrors(() => planSearch({ capability: 'a,,b' }))).toEqual([
      { pointer: '/capability', detail: 'term 2 is empty; remove the extra comma' },
    ]);
  });

  it(`takes up to ${MAX_TERMS} terms and a limit from 1 to ${MAX_LIMIT}, bounds included`, () => {
    const ten = Array.from({ length: MAX_TERMS }, (_, i) => `t${i}`).join(',');
    expect(planSearch({ capability: ten }).terms).toHaveLength(MAX_TERMS);
    expect(planSearch({ capability: 'x', limit: 1 }).limit).toBe(1);
    expect(planSearch({ capability: 'x', limit: MAX_LIMIT }).limit).toBe(MAX_LIMIT);
  });

  it('says which limits it takes', () => {
    expect(fieldErrors(() => planSearch({ capability: 'x', limit: 1.5 }))).toEqual([
      { pointer: '/limit', detail: 'must be an integer from 1 to 100' },
    ]);
  });
});

describe('what a search echoes and links to', () => {
  it('echoes the tags and the environment it filtered on, and links to them', () => {
    const plan = planSearch({ capability: 'x', environment: 'production', tags: 'Team-1' });
    expect(performed(plan)).toMatchObject({ environment: 'production', tags: ['team-1'] });
    expect(searchHref(plan)).toBe('/v1/discovery/servers?capability=x&environment=production&tags=team-1');
  });

  it('suggests every name when the best items hold fewer than five', () => {
    const items = [{ matches: [{ name: 'a' }, { name: 'b' }] }] as SearchResult['items'];
    expect(suggestedNames(items)).toEqual(['a', 'b']);
  });
});
