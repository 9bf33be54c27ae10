import { type CursorField, encodeCursor, readCursor } from './cursor.ts';

/**
 * Keyset pagination (issue 9 point 4), the pure half: the order a list is paged in, the key a cursor carries,
 * and the page cut from the rows read after it. The SQL half is platform/db's `paginateByKeyset`. A page is
 * the rows after the cursor's key in this order; the next cursor is the key of the page's last row, so a row
 * added or removed between two requests never makes a page skip or repeat another (unlike an offset).
 */
export interface KeysetOrder {
  /** The key columns, most significant first, each with the kind of value the cursor holds for it. Unique together. */
  readonly keys: readonly (readonly [column: string, kind: CursorField])[];
  /** One direction for every key column: the key is then compared as one row value. */
  readonly direction: 'asc' | 'desc';
}

/** A cursor's key: one value per key column, in order (timestamps as `Date#toISOString()` writes them). */
export type KeysetKey = readonly (string | number)[];

/** `keysetOrder({ created_at: 'timestamp', id: 'uuid' }, 'desc')`: newest first, ties broken by id. */
export function keysetOrder(
  keys: Readonly<Record<string, CursorField>>,
  direction: 'asc' | 'desc',
): KeysetOrder {
  return Object.freeze({ keys: Object.freeze(Object.entries(keys)), direction });
}

/** The key a cursor carries, undefined without one; a cursor this order did not issue is the lists' 422. */
export function readKeyset(order: KeysetOrder, cursor: string | undefined): KeysetKey | undefined {
  if (cursor === undefined) return undefined;
  return readCursor(
    cursor,
    order.keys.map(([, kind]) => kind),
  );
}

function keyOf(order: KeysetOrder, row: object): KeysetKey {
  return order.keys.map(([column]) => {
    const v = (row as Record<string, unknown>)[column];
    return v instanceof Date ? v.toISOString() : (v as string | number);
  });
}

/**
 * A page of `limit` rows out of those read after the cursor (at most `limit + 1`: one more says that another
 * page follows), with the cursor of the next page, or null on the last.
 */
export function keysetPage<R extends object>(
  order: KeysetOrder,
  rows: readonly R[],
  limit: number,
): { items: R[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(order, last)) : null,
  };
}

/** Whether `row` comes after `key` in the order: for a list small enough to be read whole and paged in memory. */
export function isAfterKeyset(order: KeysetOrder, row: object, key: KeysetKey): boolean {
  const own = keyOf(order, row);
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!;
    const b = key[i]!;
    if (a === b) continue;
    return order.direction === 'asc' ? a > b : a < b;
  }
  return false;
}
