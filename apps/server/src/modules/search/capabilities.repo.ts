import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.ts';
import type { IndexItem } from './index-item.ts';
import { nameWords } from './words.ts';

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
export async function replaceServerCapabilities(tx: Tx, args: IndexArgs): Promise<void> {
  const { orgId, serverId, versionId, version } = args;
  await tx.deleteFrom('capabilities').where('org_id', '=', orgId).where('server_id', '=', serverId).execute();
  await sql`DELETE FROM server_search_words
            WHERE org_id = ${orgId}::uuid AND server_id = ${serverId}::uuid`.execute(tx);
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
    await tx.insertInto('capabilities').values(rows).execute();
  }
  if (items.length === 0) return;
  // The server's words, for a one-word search to find it without reading its capabilities (migration 020).
  await sql`
    INSERT INTO server_search_words (org_id, server_id, word, named)
    SELECT c.org_id, c.server_id, u.w, bool_or(u.w = ANY (c.name_words))
    FROM capabilities c, unnest(capability_words(c.name_words, c.description)) AS u(w)
    WHERE c.org_id = ${orgId}::uuid AND c.server_id = ${serverId}::uuid
    GROUP BY 1, 2, 3`.execute(tx);
  // Sorted, so that two discoveries adding the same new words lock them in the same order (no deadlock).
  await sql`
    INSERT INTO capability_vocabulary (org_id, word)
    SELECT DISTINCT c.org_id, u.w
    FROM capabilities c, unnest(capability_words(c.name_words, c.description)) AS u(w)
    WHERE c.org_id = ${orgId}::uuid AND c.server_id = ${serverId}::uuid
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING`.execute(tx);
}
