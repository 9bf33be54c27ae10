/**
 * Walks a cursor-paginated MCP list to its end (MCP spec, server/utilities/pagination): request without a
 * cursor, then with each `nextCursor` until a page has none. Guards against servers whose pagination
 * never ends: a cursor seen before, or more pages than `maxPages`, is a protocol error.
 */
import { PaginationError } from './errors.ts';

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface WalkOptions {
  /** Upper bound on pages per list. Default 1000. */
  maxPages?: number;
  /** Called after each page with the number of items collected so far. */
  onPage?: (pages: number, items: number) => void;
}

export async function collectAllPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: WalkOptions = {},
): Promise<T[]> {
  const maxPages = options.maxPages ?? 1000;
  const seen = new Set<string>();
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    options.onPage?.(pages, items.length);
    const next = page.nextCursor;
    // Absent ends the list per the spec; null and '' are tolerated as "absent" (no position to resume from).
    if (next === undefined || next === null || next === '') return items;
    if (seen.has(next)) throw new PaginationError(`pagination repeated cursor ${JSON.stringify(next)}`);
    if (pages >= maxPages) throw new PaginationError(`pagination did not end after ${maxPages} pages`);
    seen.add(next);
    cursor = next;
  }
}
