import { describe, expect, it } from 'vitest';
import { encodeCursor, isAppError } from '../../kernel/index.ts';
import { planSearch, termKind, typoBudget } from './search-plan.ts';
import { nameWords } from './words.ts';

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
      { text: 'weather', lower: 'weather', words: ['weather'], kind: 'words' },
      {
        text: 'getCurrentWeather',
        lower: 'getcurrentweather',
        words: ['get', 'current', 'weather'],
        kind: 'name',
      },
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
    expect(planSearch({ capability: '***' }).terms).toEqual([
      { text: '***', lower: '***', words: [], kind: 'words' },
    ]);
  });

  it('reads a cursor it issued, and lists a forged one with the other problems', () => {
    const id = '0190b8a4-0000-7000-8000-000000000000';
    expect(planSearch({ capability: 'x', cursor: encodeCursor([7167, 'server-1', id]) }).after).toEqual({
      rank: 7167,
      name: 'server-1',
      id,
    });
    expect(planSearch({ capability: 'x' }).after).toBeNull();
    const errors = fieldErrors(() => planSearch({ capability: 'x', limit: 0, cursor: 'Zm9v' }));
    expect(errors.map((e) => e.pointer)).toEqual(['/limit', '/cursor']);
  });
});

describe('termKind (issue 10, point 3)', () => {
  it.each([
    ['get_current_weather', 'name'],
    ['getCurrentWeather', 'name'],
    ['get-sum', 'name'],
    ['files/read', 'name'],
    ['weather.sync', 'name'],
    ['HTTPServer', 'name'],
    ['weather', 'words'],
    ['numbers', 'words'],
    ['SHA256', 'words'],
    ['__init__', 'words'],
    ['current weather', 'words'],
    ['get current_weather', 'words'],
    ['***', 'words'],
  ] as const)('%s is a %s query', (text, kind) => {
    expect(termKind(text, nameWords(text))).toBe(kind);
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
