import { describe, expect, it } from 'vitest';
import { encodeCursor } from './cursor.ts';
import { isAppError } from './errors.ts';
import { isAfterKeyset, keysetOrder, keysetPage, readKeyset } from './keyset.ts';

const NEWEST_FIRST = keysetOrder({ created_at: 'timestamp', id: 'uuid' }, 'desc');
const BY_NAME = keysetOrder({ name: 'text', id: 'uuid' }, 'asc');
const id = (n: number) => `0190a6f0-0000-7000-8000-00000000000${n}`;
const row = (at: string, n: number) => ({ created_at: new Date(at), id: id(n), name: `r${n}` });

describe('keyset pages (issue 9 point 4)', () => {
  const rows = [
    row('2026-05-01T10:00:00.300Z', 3),
    row('2026-05-01T10:00:00.200Z', 2),
    row('2026-05-01T10:00:00.100Z', 1),
  ];

  it("cut the page and give the next page the last row's key, timestamps as ISO strings", () => {
    const page = keysetPage(NEWEST_FIRST, rows, 2);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(page.nextCursor).toBe(encodeCursor(['2026-05-01T10:00:00.200Z', id(2)]));
  });

  it('have no next cursor when no row follows the page', () => {
    expect(keysetPage(NEWEST_FIRST, rows, 3).nextCursor).toBeNull();
    expect(keysetPage(NEWEST_FIRST, [], 3)).toEqual({ items: [], nextCursor: null });
  });

  it('read back the cursor they issued, and refuse one of another order with the lists 422', () => {
    const cursor = keysetPage(NEWEST_FIRST, rows, 1).nextCursor!;
    expect(readKeyset(NEWEST_FIRST, cursor)).toEqual(['2026-05-01T10:00:00.300Z', id(3)]);
    expect(readKeyset(NEWEST_FIRST, undefined)).toBeUndefined();
    let refused: unknown;
    try {
      readKeyset(BY_NAME, encodeCursor([7]));
    } catch (e) {
      refused = e;
    }
    expect(isAppError(refused) && refused.code === 'validation_failed').toBe(true);
  });

  it('place a row after a key in the order, ties broken by the next column', () => {
    const key = ['2026-05-01T10:00:00.200Z', id(2)];
    expect(rows.map((r) => isAfterKeyset(NEWEST_FIRST, r, key))).toEqual([false, false, true]);
    const named = { name: 'b', id: id(5) };
    expect(isAfterKeyset(BY_NAME, named, ['b', id(4)])).toBe(true);
    expect(isAfterKeyset(BY_NAME, named, ['b', id(5)])).toBe(false);
    expect(isAfterKeyset(BY_NAME, named, ['c', id(1)])).toBe(false);
  });
});
