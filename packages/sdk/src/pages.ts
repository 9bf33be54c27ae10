import type { Page } from './types.ts';

/** Every item of a cursor-paged list, fetching the next page as the loop advances (`nextCursor` until null). */
export async function* everyPage<T, F extends { cursor?: string }>(
  list: (filter: F) => Promise<Page<T>>,
  filter: Omit<F, 'cursor'>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await list({ ...filter, cursor } as F);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
