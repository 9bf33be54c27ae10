import { describe, expect, it } from 'vitest';
import { encodeCursor, readCursor } from './cursor.ts';
import { isAppError } from './errors.ts';

const raw = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
const refused = (cursor: string, shape: Parameters<typeof readCursor>[1]) => {
  try {
    readCursor(cursor, shape);
    return false;
  } catch (e) {
    return isAppError(e) && e.code === 'validation_failed' && e.errors?.[0]?.pointer === '/cursor';
  }
};

describe('the one cursor reader', () => {
  const at = new Date('2026-05-01T10:00:00.123Z').toISOString();
  const id = '0190a6f0-0000-7000-8000-000000000000';

  it('reads back what encodeCursor issued, typed per field', () => {
    expect(readCursor(encodeCursor([at, id]), ['timestamp', 'uuid'])).toEqual([at, id]);
    expect(readCursor(encodeCursor([7]), ['int'])).toEqual([7]);
    expect(readCursor(encodeCursor(['a@example.com', id]), ['text', 'uuid'])).toEqual(['a@example.com', id]);
  });

  it('refuses values of the right JSON type that the database could not compare (they were 500s)', () => {
    expect(refused(raw(['x', 'y']), ['timestamp', 'uuid'])).toBe(true);
    expect(refused(raw([at, 'not-a-uuid']), ['timestamp', 'uuid'])).toBe(true);
    expect(refused(raw(['2026-13-45T99:00:00Z', id]), ['timestamp', 'uuid'])).toBe(true);
    expect(refused(raw(['+275760-09-13T00:00:00.000Z', id]), ['timestamp', 'uuid'])).toBe(true);
    expect(refused(raw(['0000-01-01T00:00:00.000Z', id]), ['timestamp', 'uuid'])).toBe(true);
    expect(refused(raw(['2026-05-01T10:00:00Z', id]), ['timestamp', 'uuid'])).toBe(true);
    expect(refused(raw([2 ** 31]), ['int'])).toBe(true);
    expect(refused(raw([-1]), ['int'])).toBe(true);
    expect(refused(raw([1.5]), ['int'])).toBe(true);
    expect(refused(raw(['1']), ['int'])).toBe(true);
    expect(refused(raw(['a\u0000b', id]), ['text', 'uuid'])).toBe(true);
    expect(refused(raw(['a\ud800b', id]), ['text', 'uuid'])).toBe(true);
  });

  it('refuses the wrong arity, non-JSON, non-base64url and invalid UTF-8', () => {
    expect(refused(raw([at]), ['timestamp', 'uuid'])).toBe(true);
    expect(refused(raw({ a: 1 }), ['int'])).toBe(true);
    expect(refused('Zm9v', ['int'])).toBe(true);
    expect(refused('!!!', ['int'])).toBe(true);
    expect(refused(Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]).toString('base64url'), ['text'])).toBe(true);
  });
});
