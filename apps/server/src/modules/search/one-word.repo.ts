import { type RawBuilder, sql } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import { scopeNarrows, serverInScope, serversInNameOrder } from '../registry/index.ts';
import { DESCRIBED_RANK, hasWord, namedArms, oneWordScore } from './match-arms.repo.ts';
import type { SearchTables } from './search.schema.ts';
import {
  afterCursor,
  pageTail,
  type SearchVisibility,
  serverScope,
  shownOf,
  withheldNames,
} from './search-page.repo.ts';
import { isIndexedWord, type SearchPlan, type SearchTerm } from './search-plan.ts';
import { andShown } from './shown-capabilities.repo.ts';

/**
 * A word that more servers than this have in descriptions only is searched in tiers (searchServers asks
 * isCommonDescriptionWord); fewer, and ranking every match costs about the same or less. Within the tiers,
 * above this many such servers a page of them is walked in name order, probing each server: about
 * servers/this probes a result, so at most ~10 at 10k servers; at or below, they are read by the word and
 * sorted: at most this many lookups.
 */
export const WALK_ABOVE = 1_000;

/** Whether more than WALK_ABOVE of the org's servers have the word in descriptions only (an index range). */
export async function isCommonDescriptionWord(
  tx: Queries<SearchTables>,
  orgId: string,
  word: string,
): Promise<boolean> {
  const r = await tx
    .selectFrom((db) =>
      db
        .selectFrom('server_search_words')
        .select('server_id')
        .where('org_id', '=', orgId)
        .where('word', '=', word)
        .where('named', '=', false)
        .limit(WALK_ABOVE + 1)
        .as('x'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0) > WALK_ABOVE;
}

/** The one term of a search that is one indexed word without fuzzy, which oneWordSearch answers; else null. */
export function oneWordTerm(plan: SearchPlan): SearchTerm | null {
  const t = plan.terms[0];
  if (plan.fuzzy || plan.terms.length !== 1 || t === undefined || t.kind !== 'words') return null;
  return t.words.length === 1 && isIndexedWord(t.words[0]!) ? t : null;
}

/**
 * The search of one common word (ADR 0030, amended), in two tiers that give the same page, total and order
 * as the general statement (search.repo.ts) without reading every match:
 * - `named`: servers with a capability whose name equals the term or holds the word (scored >= 0.6), from
 *   the name index and the `n:` keys, ranked as usual. Few for most words.
 * - `described`: the other servers having the word (server_search_words, migration 020, `named = false`):
 *   all found only by a description, so all with the same score, below every named one. They are ordered by
 *   name and id alone, so a page of them is the next servers in name order that have the word: walked from
 *   the cursor with the servers_by_name index, one probe each, when the word is on many servers
 *   (WALK_ABOVE); read by the word and sorted otherwise. Nothing else of theirs is read but the page's
 *   capabilities.
 * `total` counts both; with `countUpTo`, the described ones only until the total passes it.
 */
export function oneWordSearch(
  orgId: string,
  plan: SearchPlan,
  t: SearchTerm,
  visible: SearchVisibility,
  countUpTo: number | null,
): RawBuilder<unknown> {
  const word = t.words[0]!;
  const described = sql`${DESCRIBED_RANK}::int`;
  const scope = serverScope(orgId, plan, visible);
  const shown = shownOf(orgId, visible);
  // Servers with the word in no capability's name; notNamed leaves out, besides, those whose capability's
  // name equals the term (ranked with the named, whatever their words). When the caller may not see some
  // capabilities (ADR 0036), server_search_words speaks of all of them: a server whose only named capability is
  // withheld belongs here, and a server counts only when a capability it may see holds the word (a probe of
  // that server's capabilities by key).
  const hasWordRow =
    shown === null
      ? sql`p.org_id = ${orgId}::uuid AND p.word = ${word} AND NOT p.named`
      : sql`p.org_id = ${orgId}::uuid AND p.word = ${word}`;
  // A scalar subquery, not EXISTS: the planner would make EXISTS a hash semi-join over a scan of every
  // capability of the org, where a probe of the server's own capabilities by key is what a page needs.
  const probe = (server: RawBuilder<string>) =>
    sql`(SELECT true FROM capabilities c
         WHERE c.org_id = ${orgId}::uuid AND c.server_id = ${server} AND ${hasWord(word)}${andShown(shown)}
         LIMIT 1)`;
  // Only a server with a withheld capability holding the word can owe its word to it alone. When the withheld
  // capabilities' names are known (a policy denying capabilities by name), those servers are found first by the
  // name index, and only they are probed: counting up to 1,000 servers otherwise probes each (ADR 0036).
  const names = shown === null ? undefined : withheldNames(visible);
  const suspects =
    shown === null || names === undefined
      ? sql``
      : sql`suspects AS MATERIALIZED (
          SELECT DISTINCT c.server_id FROM capability_search c
          WHERE c.org_id = ${orgId}::uuid
            AND lower(c.name) = ANY (ARRAY(SELECT lower(n) FROM unnest(${[...names]}::text[]) AS u(n)))
            AND ${hasWord(word)} AND NOT ${shown}),`;
  const seen = (server: RawBuilder<string>) =>
    shown === null
      ? sql``
      : names === undefined
        ? sql` AND ${probe(server)}`
        : sql` AND (${server} NOT IN (SELECT server_id FROM suspects) OR ${probe(server)})`;
  const notNamed = sql`p.server_id NOT IN (SELECT server_id FROM per_server)`;
  const page = plan.limit + 1;
  const byId = sql.ref<string>('p.server_id');
  // A server found by the word is the org's by its foreign key: look it up only when something else counts.
  const counted = scopeNarrows(scope) ? sql`CROSS JOIN LATERAL ${serverInScope(scope, byId)} s` : sql``;
  const walk = serversInNameOrder(
    scope,
    (s) => sql<boolean>`${afterCursor(plan, described, s.name, s.id)}
      AND ${s.id} NOT IN (SELECT server_id FROM per_server)
      -- A probe per server, not a join, so that the plan walks servers_by_name in order and stops.
      AND (SELECT true FROM server_search_words p WHERE ${hasWordRow} AND p.server_id = ${s.id})${seen(sql`${s.id}`)}
      AND (SELECT n FROM spread) > ${WALK_ABOVE}::int`,
    page,
  );
  return sql`
    WITH hits AS MATERIALIZED (${namedArms(orgId, t, shown)}),
    ${suspects}
    per_server AS (SELECT server_id, max(score) AS score FROM hits GROUP BY server_id),
    named AS MATERIALIZED (
      SELECT s.id, s.name, round(p.score * 10000)::int AS rank
      FROM per_server p
      -- By primary key, one server per candidate (as in search.repo.ts).
      CROSS JOIN LATERAL ${serverInScope(scope, byId)} s
    ),
    -- How many servers have the word without being named, up to the point where walking pays.
    spread AS (
      SELECT count(*)::int AS n
      FROM (SELECT 1 FROM server_search_words p WHERE ${hasWordRow} AND ${notNamed} LIMIT ${WALK_ABOVE + 1}::int) x
    ),
    -- Exactly one of the two branches runs (their gates are one-time filters); each reads a page (+1) only.
    described AS MATERIALIZED (
      (SELECT s.id, s.name, ${described} AS rank
       FROM server_search_words p
       CROSS JOIN LATERAL ${serverInScope(scope, byId)} s
       WHERE ${hasWordRow} AND ${notNamed} AND (SELECT n FROM spread) <= ${WALK_ABOVE}::int
         AND ${afterCursor(plan, described, sql`s.name`, sql`s.id`)}${seen(byId)}
       ORDER BY s.name, s.id
       LIMIT ${page}::int)
      UNION ALL
      SELECT w.id, w.name, ${described} AS rank FROM ${walk} w
    ),
    page AS MATERIALIZED (
      (SELECT v.id, v.name, v.rank FROM named v
       WHERE ${afterCursor(plan, sql`v.rank`, sql`v.name`, sql`v.id`)}
       ORDER BY v.rank DESC, v.name, v.id
       LIMIT ${page}::int)
      UNION ALL
      SELECT id, name, rank FROM described
      ORDER BY 3 DESC, 2, 1
      LIMIT ${page}::int
    ),
    ranked AS MATERIALIZED (
      SELECT id, name, rank FROM page ORDER BY rank DESC, name, id LIMIT ${plan.limit}::int
    ),
    counts AS (
      SELECT ((SELECT count(*) FROM named) + (
               SELECT count(*) FROM (
                 SELECT 1 FROM server_search_words p ${counted}
                 WHERE ${hasWordRow} AND ${notNamed}${seen(byId)}
                 ${countUpTo === null ? sql`` : sql`LIMIT ${countUpTo + 1}::int`}) x))::int AS total,
             (SELECT count(*) FROM page)::int AS remaining
    ),
    -- Every capability of the page's servers that matches, scored as the arms score it.
    page_hits AS (
      SELECT 0::int AS term, c.server_id, c.kind, c.name, m.score
      FROM ranked r
      JOIN capabilities c ON c.org_id = ${orgId}::uuid AND c.server_id = r.id
      CROSS JOIN LATERAL (SELECT ${oneWordScore(t)} AS score) m
      WHERE m.score IS NOT NULL${andShown(shown)}
    ),
    ${pageTail(orgId, 'page_hits', visible)}`;
}
