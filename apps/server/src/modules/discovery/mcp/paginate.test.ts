import { describe, expect, it } from 'vitest';
import { PaginationError } from './errors.ts';
import { collectAllPages, type Page } from './paginate.ts';

/** A fake list of `pages`, cursor i+1 for page i. */
function pager(pages: string[][], cursors?: (i: number) => string | null | undefined) {
  const calls: Array<string | undefined> = [];
  const fetchPage = async (cursor: string | undefined): Promise<Page<string>> => {
    calls.push(cursor);
    const i = cursor === undefined ? 0 : Number(cursor);
    const next = cursors ? cursors(i) : i + 1 < pages.length ? String(i + 1) : undefined;
    return { items: pages[i] ?? [], nextCursor: next };
  };
  return { fetchPage, calls };
}

describe('collectAllPages', () => {
  it('follows nextCursor until a page has none, starting without a cursor', async () => {
    const { fetchPage, calls } = pager([['a', 'b'], ['c'], ['d', 'e']]);
    expect(await collectAllPages(fetchPage)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(calls).toEqual([undefined, '1', '2']);
  });

  it('stops after one page when the first page has no nextCursor', async () => {
    const { fetchPage, calls } = pager([['only']]);
    expect(await collectAllPages(fetchPage)).toEqual(['only']);
    expect(calls).toEqual([undefined]);
  });

  it('treats a null or empty nextCursor as the end of the list', async () => {
    expect(await collectAllPages(pager([['a']], () => null).fetchPage)).toEqual(['a']);
    expect(await collectAllPages(pager([['a']], () => '').fetchPage)).toEqual(['a']);
  });

  it('fails with a PaginationError when a cursor repeats', async () => {
    const { fetchPage } = pager([['a'], ['b']], () => '1');
    await expect(collectAllPages(fetchPage)).rejects.toBeInstanceOf(PaginationError);
  });

  it('fails with a PaginationError after maxPages pages', async () => {
    const { fetchPage } = pager([], (i) => String(i + 1));
    await expect(collectAllPages(fetchPage, { maxPages: 10 })).rejects.toThrow(/10 pages/);
  });

  it('reports each page to onPage with the running item count', async () => {
    const seen: Array<[number, number]> = [];
    await collectAllPages(pager([['a', 'b'], ['c']]).fetchPage, { onPage: (p, n) => seen.push([p, n]) });
    expect(seen).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
});
