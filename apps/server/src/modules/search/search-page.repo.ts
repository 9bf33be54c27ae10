import { type RawBuilder, sql } from 'kysely';
import type { ResourceFilter } from '../authz/index.ts';
import { policyFilterSql } from '../registry/index.ts';
import type { SearchPlan } from './search-plan.ts';

/** Matches listed per term and server (the best ones); the score already counts them all. */
export const MATCHES_PER_TERM = 10;

/**
 * Which servers the caller may see (ADR 0020): a policy filter translated from Cedar's residual, and/or the
 * ids a batch of PDP decisions allowed. Absent, the search is the org's whole catalog.
 */
export interface SearchVisibility {
  readonly filter?: ResourceFilter;
  readonly ids?: readonly string[];
}

/**
 * What a server row `s` must meet to be a result: the org, the search's environment and tags, and what the
 * caller may see. With `id`, also that `s` is that server (a lookup by primary key).
 */
export function serverFilters(
  orgId: string,
  plan: SearchPlan,
  visible: SearchVisibility,
  id?: RawBuilder<unknown>,
): RawBuilder<unknown>[] {
  return [
    sql`s.org_id = ${orgId}::uuid`,
    ...(id === undefined ? [] : [sql`s.id = ${id}`]),
    ...(plan.environment === null ? [] : [sql`s.environment = ${plan.environment}`]),
    ...(plan.tags.length === 0 ? [] : [sql`s.tags @> ${plan.tags}::text[]`]),
    ...(visible.filter === undefined ? [] : [policyFilterSql(visible.filter, 's')]),
    ...(visible.ids === undefined ? [] : [sql`s.id = ANY (${[...visible.ids]}::uuid[])`]),
  ];
}

/** Whether serverFilters asks more of a server than being the org's (which its foreign keys already say). */
export function filtersServers(plan: SearchPlan, visible: SearchVisibility): boolean {
  const f = visible.filter;
  const everyone = (c: ResourceFilter['server']) => c.op === 'const' && c.value;
  return (
    plan.environment !== null ||
    plan.tags.length > 0 ||
    visible.ids !== undefined ||
    (f !== undefined && !(everyone(f.server) && everyone(f.capability)))
  );
}

/**
 * After the page's cursor in the ranking: rank descending, then name, then id (the order of every page).
 * `rank`, `name` and `id` are the row's.
 */
export function afterCursor(
  plan: SearchPlan,
  rank: RawBuilder<unknown>,
  name: RawBuilder<unknown>,
  id: RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (plan.after === null) return sql`true`;
  const a = plan.after;
  return sql`(${rank} < ${a.rank}::int OR (${rank} = ${a.rank}::int AND (${name}, ${id}) > (${a.name}, ${a.id}::uuid)))`;
}

/**
 * The end of every search statement, given the CTEs `ranked` (the page's servers: id, name, rank), `counts`
 * (total, remaining) and `hits` (term, server_id, kind, name, score: at least every match of the page's
 * servers): each server's matching capabilities, each once, read in full by key. Always one row at least:
 * the total, with a page's server per row (none past the last page).
 */
export function pageTail(orgId: string, hits: 'hits' | 'page_hits'): RawBuilder<unknown> {
  return sql`
    per_capability AS (
      SELECT h.server_id, h.kind, h.name, h.term, max(h.score) AS score,
             row_number() OVER (PARTITION BY h.server_id, h.term
                                ORDER BY max(h.score) DESC, h.kind, h.name) AS rank
      FROM ${sql.table(hits)} h
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
}
