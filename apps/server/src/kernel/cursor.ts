import { AppError } from './errors.ts';

/**
 * Opaque keyset cursors: base64url of a JSON tuple. Clients must treat them as opaque; the server validates
 * the decoded shape and answers 422 for anything it did not issue.
 */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== arity) return undefined;
    if (!v.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/** Decodes a cursor from a list query, or throws the 422 every list answers for a cursor it did not issue. */
export function readCursor(cursor: string, arity: number): (string | number)[] {
  const values = decodeCursor(cursor, arity);
  if (values === undefined) {
    throw new AppError('validation_failed', 'The cursor is not one this API issued.', {
      errors: [{ pointer: '/cursor', location: 'query', detail: 'unknown cursor' }],
    });
  }
  return values;
}
