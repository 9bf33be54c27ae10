import { type CompiledQuery, sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { CapabilityFacts, ServerFacts } from '../authz/index.ts';
import { serverInScope } from '../registry/index.ts';
import { termArms } from './match-arms.repo.ts';
import { isCommonDescriptionWord, oneWordSearch, oneWordTerm } from './one-word.repo.ts';
import { afterCursor, pageTail, type SearchVisibility, serverScope, shownOf } from './search-page.repo.ts';
import { isIndexedWord, type SearchPlan, type SearchTerm } from './search-plan.ts';

export type { SearchVisibility } from './search-page.repo.ts';

/*
 * The search statements (here, one-word.repo.ts, match-arms.repo.ts, search-page.repo.ts) are `sql` fragments,
 * not builder chains: each is one statement of MATERIALIZED CTEs with an arm per term joined by UNION ALL, GIN
 * operators over expressions that must read exactly as the index's (capability_search_keys), trigram and
 * levenshtein tests, and LIMIT 1 laterals whose plans the EXPLAIN test pins; in the builder nearly every one of
 * those expressions would still be a `sql` fragment. What they read of the registry's servers comes through its
 * door as builders (registry server-rows.repo.ts, ADR 0036); the index upkeep (capabilities.repo.ts) and the
 * common-word count use the builder.
 */

export interface MatchRow {
  /** The first term (in query order) it matches, and its score for that term. */
  term: number;
  /** Every term it matches, in query order. */
  terms: number[];
  kind: 'tool' | 'resource' | 'resource_template' | 'prompt';
  name: string;
  description: string;
  score: number;
  version: number;
  definition: Record<string, unknown>;
}

export interface SearchRow {
  id: string;
  name: string;
  url: string;
  environment: 'development' | 'staging' | 'production';
  tags: string[];
  description: string;
  status: 'pending_discovery' | 'discovering' | 'active' | 'discovery_failed';
  /** The server's score in ten-thousandths: what it is ranked and paged by. */
  rank: number;
  matches: MatchRow[];
  /** How many of the server's capabilities the caller may not see (ADR 0036). */
  withheld: number;
}

export interface SearchPage {
  /** Every server the search finds for the caller, on any page (or countUpTo, see totalIsLowerBound). */
  total: number;
  /** Set when more than `countUpTo` servers match: then `total` is countUpTo, and a lower bound. */
  totalIsLowerBound?: true;
  /** Whether servers follow this page. */
  more: boolean;
  rows: SearchRow[];
}

/**
 * The candidate servers of a search, per server: hits (per term, only capabilities the caller may see) and the
 * score over the terms.
 */
function candidates(orgId: string, plan: SearchPlan, visible: SearchVisibility) {
  const byWords = (t: SearchTerm) => t.words.length > 0 && t.words.every(isIndexedWord);
  const { arms, expansions } = termArms(orgId, plan, byWords, shownOf(orgId, visible));
  const n = plan.terms.length;
  const withExpansions =
    expansions.length === 0
      ? sql``
      : sql`expansions AS MATERIALIZED (${sql.join(expansions, sql` UNION ALL `)}),`;
  return sql`
    WITH ${withExpansions}
    hits AS MATERIALIZED (${sql.join(arms, sql` UNION ALL `)}),
    per_server AS (${
      n === 1
        ? sql`SELECT server_id, max(score) AS score FROM hits GROUP BY server_id`
        : sql`
      SELECT server_id, sum(score) / ${n}::float8 AS score
      FROM (SELECT term, server_id, max(score) AS score FROM hits GROUP BY 1, 2) t
      GROUP BY server_id
      HAVING count(*) = ${n}::int`
    })`;
}

type PageRow = { total: number; remaining: number | null } & (SearchRow | { [K in keyof SearchRow]: null });

/** How a page is read. */
export interface PageOptions {
  /** Count exactly (absent), or only until `countUpTo` servers are passed. */
  readonly countUpTo?: number;
  /**
   * A one-word search in tiers (oneWordSearch) or ranked all. compileSearchQuery ranks all unless told;
   * searchServers, unless told, reads in tiers a word more than WALK_ABOVE servers have in descriptions only.
   */
  readonly tiers?: boolean;
}

/**
 * Every search but a common word's (one-word.repo.ts): candidates come first, each term from its own index lookups
 * (capability_search applies the tenant itself, see migration 002); the servers having every term are then
 * reached by primary key (where the caller's policy filter applies), ranked and counted all.
 */
function rankedSearch(orgId: string, plan: SearchPlan, visible: SearchVisibility) {
  const after = afterCursor(plan, sql`v.rank`, sql`v.name`, sql`v.id`);
  return sql`
    ${candidates(orgId, plan, visible)},
    -- Only what ranking needs: a word on every capability makes this every server of the org.
    visible AS MATERIALIZED (
      SELECT s.id, s.name, round(p.score * 10000)::int AS rank
      FROM per_server p
      -- By primary key, one server per candidate, through the registry's door.
      CROSS JOIN LATERAL ${serverInScope(serverScope(orgId, plan, visible), sql.ref<string>('p.server_id'))} s
    ),
    counts AS (
      SELECT count(*)::int AS total, (count(*) FILTER (WHERE ${after}))::int AS remaining
      FROM visible v
    ),
    ranked AS MATERIALIZED (
      SELECT v.id, v.name, v.rank
      FROM visible v
      WHERE ${after}
      ORDER BY v.rank DESC, v.name, v.id
      LIMIT ${plan.limit}::int
    ),
    ${pageTail(orgId, 'hits', visible)}`;
}

/**
 * The one statement a search runs, as the repository sends it; the index test EXPLAINs exactly this. Only
 * the capabilities shown are read in full. Always one row at least: the total, with a page's server per row
 * (none past the last page).
 */
export function compileSearchQuery(
  db: Db,
  orgId: string,
  plan: SearchPlan,
  visible: SearchVisibility = {},
  options: PageOptions = {},
): CompiledQuery<PageRow> {
  const word = oneWordTerm(plan);
  const query =
    word !== null && options.tiers === true
      ? oneWordSearch(orgId, plan, word, visible, options.countUpTo ?? null)
      : rankedSearch(orgId, plan, visible);
  return sql<PageRow>`${query}`.compile(db);
}

export async function searchServers(
  tx: Tx,
  orgId: string,
  plan: SearchPlan,
  visible: SearchVisibility = {},
  options: PageOptions = {},
): Promise<SearchPage> {
  const word = oneWordTerm(plan);
  // One cheap count decides: below it, ranking every match costs about what reading in tiers does.
  const tiers =
    options.tiers ?? (word !== null && (await isCommonDescriptionWord(tx, orgId, word.words[0]!)));
  const r = await tx.executeQuery(compileSearchQuery(tx, orgId, plan, visible, { ...options, tiers }));
  const rows = r.rows.filter((row): row is PageRow & SearchRow => row.id !== null);
  const total = r.rows[0]?.total ?? 0;
  const cap = options.countUpTo;
  return {
    ...(cap !== undefined && total > cap ? { total: cap, totalIsLowerBound: true } : { total }),
    more: (r.rows[0]?.remaining ?? 0) > rows.length,
    rows: rows.map(({ total: _t, remaining: _r, ...row }) => row),
  };
}

/**
 * Every server the search finds (before the limit) with what a policy decision needs, for a batch of PDP
 * decisions when the caller's policy cannot be a query: each one's facts and, with `withCapabilities`, every
 * one of its current capabilities (kind and name), to withhold those the PDP refuses.
 */
export async function searchCandidates(
  tx: Tx,
  orgId: string,
  plan: SearchPlan,
  opts: { withCapabilities: boolean },
): Promise<(ServerFacts & { capabilities: CapabilityFacts[] })[]> {
  const caps = opts.withCapabilities
    ? sql`(SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'name', c.name)), '[]')
           FROM capabilities c WHERE c.org_id = ${orgId}::uuid AND c.server_id = s.id)`
    : sql`'[]'::json`;
  const r = await sql<ServerFacts & { capabilities: CapabilityFacts[] }>`
    ${candidates(orgId, plan, {})}
    SELECT s.id, s.name, s.environment, s.tags, ${caps} AS capabilities
    FROM per_server p
    CROSS JOIN LATERAL ${serverInScope(serverScope(orgId, plan, {}), sql.ref<string>('p.server_id'))} s`.execute(
    tx,
  );
  return r.rows;
}
