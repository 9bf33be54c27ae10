import { describe, expect, it } from 'vitest';
import { type CursorField, encodeCursor, readCursor } from './cursor.ts';
import { AppError } from './errors.ts';

/**
 * The edges of each cursor field (issue 8, point 6): what the database can compare is read back, anything else
 * is the same 422 as any cursor the API did not issue, never a 500 from a value of the wrong type.
 */
const raw = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
const id = '0190a6f0-0000-7000-8000-000000000000';

function refusal(cursor: string, shape: readonly CursorField[]): unknown {
  try {
    readCursor(cursor, shape);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('cursor fields at their edges', () => {
  it('reads the first instant Postgres reads (year 1) and refuses a day that does not exist', () => {
    expect(readCursor(raw(['0001-01-01T00:00:00.000Z']), ['timestamp'])).toEqual([
      '0001-01-01T00:00:00.000Z',
    ]);
    // Date would roll 30 February over to 2 March: only the instant as toISOString writes it is ours.
    expect(refusal(raw(['2026-02-30T00:00:00.000Z']), ['timestamp'])).toBeInstanceOf(AppError);
  });

  it('answers 422, not an exception from Date, for a timestamp whose digits are out of range', () => {
    expect(refusal(raw(['2026-13-45T99:00:00.000Z']), ['timestamp'])).toBeInstanceOf(AppError);
  });

  it('refuses an instant past year 9999, which toISOString writes with an expanded year Postgres does not read', () => {
    const expanded = new Date(Date.UTC(10_000, 0, 1)).toISOString();
    expect(expanded).toBe('+010000-01-01T00:00:00.000Z');
    expect(refusal(raw([expanded]), ['timestamp'])).toBeInstanceOf(AppError);
  });

  it('reads integers from 0 to 2147483647 (Postgres integer) inclusive', () => {
    expect(readCursor(raw([0]), ['int'])).toEqual([0]);
    expect(readCursor(raw([2_147_483_647]), ['int'])).toEqual([2_147_483_647]);
  });

  it('reads text up to 1000 characters and refuses 1001', () => {
    const max = 'a'.repeat(1000);
    expect(readCursor(raw([max]), ['text'])).toEqual([max]);
    expect(refusal(raw([`${max}a`]), ['text'])).toBeInstanceOf(AppError);
  });

  it.each([
    ['an array where a uuid belongs', [[id]], ['uuid']],
    ['an array where text belongs', [['a']], ['text']],
    ['a number where text belongs', [5], ['text']],
  ] as const)('answers 422 for %s', (_what, values, shape) => {
    expect(refusal(raw(values), shape)).toBeInstanceOf(AppError);
  });
});

describe('cursor shape', () => {
  it('refuses a JSON value that is not an array, even one whose characters would fit the fields', () => {
    expect(refusal(raw('a'), ['text'])).toBeInstanceOf(AppError);
  });

  it('refuses more values than the list issues', () => {
    expect(refusal(raw([7, 8]), ['int'])).toBeInstanceOf(AppError);
  });

  it('refuses a character outside base64url, although a lenient decoder would skip it', () => {
    const issued = encodeCursor([7]);
    expect(readCursor(issued, ['int'])).toEqual([7]);
    for (const forged of [`${issued}.`, `.${issued}`, `${issued}=`]) {
      expect(Buffer.from(forged, 'base64url').equals(Buffer.from(issued, 'base64url'))).toBe(true);
      expect(refusal(forged, ['int']), forged).toBeInstanceOf(AppError);
    }
  });

  it('answers every refusal as validation_failed on /cursor in the query, saying the cursor is unknown', () => {
    const e = refusal('!!!', ['int']);
    expect(e).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/cursor', location: 'query', detail: 'unknown cursor' }],
    });
    expect((e as AppError).detail).toMatch(/cursor/);
  });
});
