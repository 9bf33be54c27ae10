import { sql } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import type { IndexItem } from './index-item.ts';
import type { SearchTables } from './search.schema.ts';
import { nameWords } from './words.ts';

type Q = Queries<SearchTables>;

/** Rows per INSERT: ~10 parameters each, far below Postgres's 65535, and small enough to keep memory flat. */
const CHUNK = 500;
/**
 * Names longer than this (in UTF-8 bytes) are left out of the search index: a btree entry must fit in a third
 * of a page (~2.7 kB), and nobody searches for a name that long (a data: URI, say). The capability stays in
 * its version's snapshot.
 */
export const MAX_INDEXED_NAME_BYTES = 1000;

export interface IndexArgs {
  orgId: string;
  serverId: string;
  /** The capability version the items are of: its id, and its number (shown with each match). */
  versionId: string;
  version: number;
  items: IndexItem[];
}

/**
 * Makes the search index hold exactly `items` for the server (its capabilities, and its words in
 * server_search_words): discovery calls this in the transaction that stores the new version, so search never
 * sees half of a version.
 */
export async function replaceServerCapabilities(db: Q, args: IndexArgs): Promise<void> {
  const { orgId, serverId, versionId, version } = args;
  await db.deleteFrom('capabilities').where('org_id', '=', orgId).where('server_id', '=', serverId).execute();
  await db
    .deleteFrom('server_search_words')
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .execute();
  const items = args.items.filter((i) => Buffer.byteLength(i.name) <= MAX_INDEXED_NAME_BYTES);
  for (let at = 0; at < items.length; at += CHUNK) {
    const rows = items.slice(at, at + CHUNK).map((i) => ({
      org_id: orgId,
      server_id: serverId,
      kind: i.kind,
      name: i.name,
      version_id: versionId,
      version,
      description: i.description,
      name_words: nameWords(i.name),
      search_text: sql<string>`lower(${i.name} || ' ' || ${i.description})`,
      definition: JSON.stringify(i.definition),
    }));
    await db.insertInto('capabilities').values(rows).execute();
  }
  if (items.length === 0) return;
  // Each word of each of the server's capabilities (capability_words, migration 002: the `w:` keys), with
  // whether the capability's name holds it. `unnest` in the select list: the builder has no set-returning
  // function in FROM with a column alias.
  const words = db
    .selectFrom('capabilities as c')
    .select([
      'c.org_id',
      'c.server_id',
      sql<string>`unnest(capability_words(c.name_words, c.description))`.as('w'),
      'c.name_words',
    ])
    .where('c.org_id', '=', orgId)
    .where('c.server_id', '=', serverId)
    .as('u');
  // The server's words, for a one-word search to find it without reading its capabilities (migration 020).
  await db
    .insertInto('server_search_words')
    .columns(['org_id', 'server_id', 'word', 'named'])
    .expression((eb) =>
      eb
        .selectFrom(words)
        .select([
          'u.org_id',
          'u.server_id',
          'u.w',
          sql<boolean>`bool_or(u.w = ANY (u.name_words))`.as('named'),
        ])
        .groupBy(['u.org_id', 'u.server_id', 'u.w']),
    )
    .execute();
  // Sorted, so that two discoveries adding the same new words lock them in the same order (no deadlock).
  await db
    .insertInto('capability_vocabulary')
    .columns(['org_id', 'word'])
    .expression((eb) =>
      eb.selectFrom(words).select(['u.org_id', 'u.w']).distinct().orderBy('u.org_id').orderBy('u.w'),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
