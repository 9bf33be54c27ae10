import { type CompiledQuery, sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { CapabilityFacts, ResourceFilter, ServerFacts } from '../authz/index.ts';
import { policyFilterSql } from '../registry/index.ts';
import { termArms } from './match-arms.repo.ts';
import { isIndexedWord, type SearchPlan, type SearchTerm } from './search-plan.ts';

/** Matches listed per term and server (the best ones); the score already counts them all. */
export const MATCHES_PER_TERM = 10;

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
}

export interface SearchPage {
  /** Every server the search finds for the caller, on any page. */
  total: number;
  /** Whether servers follow this page. */
  more: boolean;
  rows: SearchRow[];
}

/**
 * Which servers the caller may see (ADR 0020): a policy filter translated from Cedar's residual, and/or the
 * ids a batch of PDP decisions allowed. Absent, the search is the org's whole catalog.
 */
export interface SearchVisibility {
  readonly filter?: ResourceFilter;
  readonly ids?: readonly string[];
}

/** The candidate servers of a search, per server: hits (per term) and the score over the terms. */
function candidates(orgId: string, plan: SearchPlan) {
  const byWords = (t: SearchTerm) => t.words.length > 0 && t.words.every(isIndexedWord);
  const { arms, expansions } = termArms(orgId, plan, byWords);
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

function serverFilters(orgId: string, plan: SearchPlan, visible: SearchVisibility) {
  return [
    sql`s.org_id = ${orgId}::uuid`,
    sql`s.id = p.server_id`,
    ...(plan.environment === null ? [] : [sql`s.environment = ${plan.environment}`]),
    ...(plan.tags.length === 0 ? [] : [sql`s.tags @> ${plan.tags}::text[]`]),
    ...(visible.filter === undefined ? [] : [policyFilterSql(visible.filter, 's')]),
    ...(visible.ids === undefined ? [] : [sql`s.id = ANY (${[...visible.ids]}::uuid[])`]),
  ];
}

type PageRow = { total: number; remaining: number | null } & (SearchRow | { [K in keyof SearchRow]: null });

/** After the page's cursor in the ranking: rank descending, then name, then id (the ORDER BY below). */
function afterCursor(plan: SearchPlan) {
  if (plan.after === null) return sql`true`;
  const { rank, name, id } = plan.after;
  return sql`(v.rank < ${rank}::int OR (v.rank = ${rank}::int AND (v.name, v.id) > (${name}, ${id}::uuid)))`;
}

/**
 * The one statement a search runs, as the repository sends it; the index test EXPLAINs exactly this.
 * Candidates come first, each term from its own index lookups (capability_search applies the tenant itself,
 * see migration 002); the servers having every term are then reached by primary key (where the caller's
 * policy filter applies), and only the capabilities shown are read in full. Always one row at least: the
 * total, with a page's server per row (none past the last page).
 */
export function compileSearchQuery(
  db: Db,
  orgId: string,
  plan: SearchPlan,
  visible: SearchVisibility = {},
): CompiledQuery<PageRow> {
  const query = sql<PageRow>`
    ${candidates(orgId, plan)},
    -- Only what ranking needs: a word on every capability makes this every server of the org.
    visible AS MATERIALIZED (
      SELECT s.id, s.name, round(p.score * 10000)::int AS rank
      FROM per_server p
      -- By primary key, one server per candidate: LIMIT 1 keeps the planner from making this a hash join
      -- over a scan of all the org's servers when it guesses many candidates.
      CROSS JOIN LATERAL (
        SELECT s.id, s.name
        FROM servers s
        WHERE ${sql.join(serverFilters(orgId, plan, visible), sql` AND `)}
        LIMIT 1
      ) s
    ),
    counts AS (
      SELECT count(*)::int AS total, (count(*) FILTER (WHERE ${afterCursor(plan)}))::int AS remaining
      FROM visible v
    ),
    ranked AS MATERIALIZED (
      SELECT v.id, v.name, v.rank
      FROM visible v
      WHERE ${afterCursor(plan)}
      ORDER BY v.rank DESC, v.name, v.id
      LIMIT ${plan.limit}::int
    ),
    per_capability AS (
      SELECT h.server_id, h.kind, h.name, h.term, max(h.score) AS score,
             row_number() OVER (PARTITION BY h.server_id, h.term
                                ORDER BY max(h.score) DESC, h.kind, h.name) AS rank
      FROM hits h
      WHERE h.server_id IN (SELECT id FROM ranked)
      GROUP BY 1, 2, 3, 4
    ),
    -- Each capability once, however many terms and fields it matches (issue 10, point 3): under the first
    -- term it matches, kept when it is among the best of any of them.
    shown AS (
      SELECT server_id, kind, name, min(term) AS term, array_agg(term ORDER BY term) AS terms,
             (array_agg(score ORDER BY term))[1] AS score
      FROM per_capability
      GROUP BY 1, 2, 3
      HAVING min(rank) <= ${MATCHES_PER_TERM}::int
    ),
    matches AS (
      SELECT m.server_id,
             json_agg(json_build_object('term', m.term, 'terms', m.terms, 'kind', m.kind, 'name', m.name,
                                        'description', c.description, 'score', m.score, 'version', v.version,
                                        'definition', c.definition)
                      ORDER BY m.term, m.score DESC, m.kind, m.name) AS matches
      FROM shown m
      JOIN capabilities c
        ON c.org_id = ${orgId}::uuid AND c.server_id = m.server_id AND c.kind = m.kind AND c.name = m.name
      JOIN capability_versions v ON v.org_id = c.org_id AND v.id = c.version_id
      GROUP BY m.server_id
    )
    SELECT t.total, t.remaining, s.id, s.name, s.url, s.environment, s.tags, s.description, s.status, r.rank,
           x.matches
    FROM counts t
    LEFT JOIN (
      ranked r
      JOIN servers s ON s.org_id = ${orgId}::uuid AND s.id = r.id
      JOIN matches x ON x.server_id = r.id
    ) ON true
    ORDER BY r.rank DESC, r.name, r.id`;
  return query.compile(db);
}

export async function searchServers(
  tx: Tx,
  orgId: string,
  plan: SearchPlan,
  visible: SearchVisibility = {},
): Promise<SearchPage> {
  const r = await tx.executeQuery(compileSearchQuery(tx, orgId, plan, visible));
  const rows = r.rows.filter((row): row is PageRow & SearchRow => row.id !== null);
  return {
    total: r.rows[0]?.total ?? 0,
    more: (r.rows[0]?.remaining ?? 0) > rows.length,
    rows: rows.map(({ total: _t, remaining: _r, ...row }) => row),
  };
}

/**
 * Every server the search finds (before the limit), with what a policy decision needs: for a batch of PDP
 * decisions when the caller's policy cannot be a query. With `withCapabilities`, each one's current
 * capabilities (kind and name) too.
 */
export async function searchCandidates(
  tx: Tx,
  orgId: string,
  plan: SearchPlan,
  opts: { filter?: ResourceFilter; withCapabilities: boolean },
): Promise<(ServerFacts & { capabilities: CapabilityFacts[] })[]> {
  const visible = opts.filter === undefined ? {} : { filter: opts.filter };
  const caps = opts.withCapabilities
    ? sql`(SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'name', c.name)), '[]')
           FROM capabilities c WHERE c.org_id = s.org_id AND c.server_id = s.id)`
    : sql`'[]'::json`;
  const r = await sql<ServerFacts & { capabilities: CapabilityFacts[] }>`
    ${candidates(orgId, plan)}
    SELECT s.id, s.name, s.environment, s.tags, ${caps} AS capabilities
    FROM per_server p
    CROSS JOIN LATERAL (
      SELECT s.org_id, s.id, s.name, s.environment, s.tags FROM servers s
      WHERE ${sql.join(serverFilters(orgId, plan, visible), sql` AND `)}
      LIMIT 1
    ) s`.execute(tx);
  return r.rows;
}
