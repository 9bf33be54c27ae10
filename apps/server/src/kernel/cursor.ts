import { AppError } from './errors.ts';
import { isUuid } from './ids.ts';

/**
 * Opaque keyset cursors: base64url of a JSON tuple. Clients must treat them as opaque; the server checks every
 * decoded field against the kind the list issued and answers 422 for anything it did not issue. A cursor is
 * caller input like any other: a value that merely has the right JSON type (`["x","y"]` where a timestamp and a
 * UUID belong) used to reach Postgres and fail there as a 500 (issue 8, point 6).
 */
export type CursorField =
  /** An instant as `Date#toISOString()` writes it, the only form we issue. */
  | 'timestamp'
  | 'uuid'
  /** A whole number that fits Postgres `integer` (version numbers). */
  | 'int'
  /** Text compared in SQL (an email): no NUL, no lone surrogate, bounded. */
  | 'text';

type FieldValue<K extends CursorField> = K extends 'int' ? number : string;
export type CursorValues<S extends readonly CursorField[]> = { -readonly [I in keyof S]: FieldValue<S[I]> };

const INT4_MAX = 2_147_483_647;
const TEXT_MAX = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

function fits(kind: CursorField, v: unknown): boolean {
  switch (kind) {
    case 'timestamp': {
      // Four-digit years from 0001: Postgres has no year 0 and does not read expanded (±YYYYYY) years.
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v)) return false;
      const t = new Date(v);
      return !Number.isNaN(t.getTime()) && t.toISOString() === v && t.getUTCFullYear() >= 1;
    }
    case 'uuid':
      return typeof v === 'string' && isUuid(v);
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= INT4_MAX;
    case 'text':
      return typeof v === 'string' && v.length <= TEXT_MAX && !v.includes('\0') && v.isWellFormed();
  }
}

function decode<const S extends readonly CursorField[]>(
  cursor: string,
  shape: S,
): CursorValues<S> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(utf8.decode(Buffer.from(cursor, 'base64url')));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== shape.length) return undefined;
  return shape.every((kind, i) => fits(kind, v[i])) ? (v as CursorValues<S>) : undefined;
}

/**
 * The one cursor reader every list uses: decodes a cursor from a list query into values of the kinds given,
 * or throws the 422 every list answers for a cursor it did not issue.
 */
export function readCursor<const S extends readonly CursorField[]>(
  cursor: string,
  shape: S,
): CursorValues<S> {
  const values = decode(cursor, shape);
  if (values === undefined) {
    throw new AppError('validation_failed', 'The cursor is not one this API issued.', {
      errors: [{ pointer: '/cursor', location: 'query', detail: 'unknown cursor' }],
    });
  }
  return values;
}
