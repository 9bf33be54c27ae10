import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/index.ts';
import { planSearch, typoBudget } from './search-plan.ts';

function fieldErrors(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (isAppError(e) && e.code === 'validation_failed') return e.errors ?? [];
    throw e;
  }
  throw new Error('expected a validation error');
}

describe('planSearch', () => {
  it('splits terms on commas, trims them and splits each into words', () => {
    const plan = planSearch({ capability: ' weather , getCurrentWeather' });
    expect(plan.terms).toEqual([
      { text: 'weather', lower: 'weather', words: ['weather'] },
      { text: 'getCurrentWeather', lower: 'getcurrentweather', words: ['get', 'current', 'weather'] },
    ]);
  });

  it('keeps the first spelling of a term given twice in any case', () => {
    expect(planSearch({ capability: 'Weather,weather,WEATHER' }).terms.map((t) => t.text)).toEqual([
      'Weather',
    ]);
  });

  it('defaults to exact matching, any environment, no tags and 20 results', () => {
    expect(planSearch({ capability: 'x' })).toMatchObject({
      fuzzy: false,
      environment: null,
      tags: [],
      limit: 20,
    });
  });

  it('lower-cases and de-duplicates tags', () => {
    expect(planSearch({ capability: 'x', tags: 'Public, external,public' }).tags).toEqual([
      'public',
      'external',
    ]);
  });

  it.each(['weather,', ',weather', 'a,,b', ' , '])('rejects the empty term in %j', (capability) => {
    expect(fieldErrors(() => planSearch({ capability }))).toContainEqual(
      expect.objectContaining({ pointer: '/capability' }),
    );
  });

  it('rejects an empty tag', () => {
    expect(fieldErrors(() => planSearch({ capability: 'x', tags: 'a,' }))).toEqual([
      { pointer: '/tags', detail: 'tag 2 is empty; remove the extra comma' },
    ]);
  });

  it('rejects more than 10 terms and a limit outside 1..100', () => {
    const many = Array.from({ length: 11 }, (_, i) => `t${i}`).join(',');
    expect(fieldErrors(() => planSearch({ capability: many }))).toEqual([
      { pointer: '/capability', detail: 'at most 10 terms' },
    ]);
    expect(fieldErrors(() => planSearch({ capability: 'x', limit: 0 }))[0]?.pointer).toBe('/limit');
    expect(fieldErrors(() => planSearch({ capability: 'x', limit: 101 }))[0]?.pointer).toBe('/limit');
  });

  it('keeps a term without letters or digits, with no words (it can only equal a name)', () => {
    expect(planSearch({ capability: '***' }).terms).toEqual([{ text: '***', lower: '***', words: [] }]);
  });
});

describe('typoBudget', () => {
  it.each([
    ['git', 0],
    ['slak', 1],
    ['weathr', 1],
    ['calendr', 1],
    ['calender', 2],
    ['pagerduy', 2],
  ] as const)('allows %s %i edits', (word, edits) => {
    expect(typoBudget(word)).toBe(edits);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(typoBudget('𝒶𝒷𝒸')).toBe(0);
  });
});
