import { type Expression, type RawBuilder, sql } from 'kysely';
import type { ResourceFilter } from '../authz/index.ts';
import { type ServerScope, serverCard } from '../registry/index.ts';
import type { SearchPlan } from './search-plan.ts';
import { type CapabilityKey, type CapabilityRule, shownCapability } from './shown-capabilities.repo.ts';
import { refusedNames } from './withheld-names.ts';

/** Matches listed per term and server (the best ones); the score already counts them all. */
export const MATCHES_PER_TERM = 10;

/**
 * What the caller may see (ADR 0020, ADR 0036): the policy's conditions translated from Cedar's residual, or
 * what a batch of PDP decisions allowed (the servers' ids) and withheld (capabilities). Absent, the search is
 * the org's whole catalog. A server is a result only through capabilities the caller may see.
 */
export interface SearchVisibility {
  readonly filter?: ResourceFilter;
  readonly ids?: readonly string[];
  readonly withheld?: readonly CapabilityKey[];
}

/** The servers a result may be: the org's, with the search's environment and tags, that the caller may see. */
export function serverScope(orgId: string, plan: SearchPlan, visible: SearchVisibility): ServerScope {
  return {
    orgId,
    environment: plan.environment,
    tags: plan.tags,
    policy: visible.filter?.server,
    ids: visible.ids,
  };
}

/** SQL true for a capability row `c` the caller may see, or null when it may see every one. */
export function shownOf(orgId: string, visible: SearchVisibility, c = 'c'): RawBuilder<boolean> | null {
  const rule: CapabilityRule | undefined =
    visible.filter !== undefined
      ? { condition: visible.filter.capability }
      : visible.withheld !== undefined
        ? { withheld: visible.withheld }
        : undefined;
  return shownCapability(orgId, rule, c);
}

/** Names every capability withheld from the caller is named by, or undefined when they are not bounded. */
export function withheldNames(visible: SearchVisibility): readonly string[] | undefined {
  if (visible.filter !== undefined) return refusedNames(visible.filter.capability);
  return [...new Set((visible.withheld ?? []).map((k) => k.name))];
}

/**
 * After the page's cursor in the ranking: rank descending, then name, then id (the order of every page).
 * `rank`, `name` and `id` are the row's.
 */
export function afterCursor(
  plan: SearchPlan,
  rank: Expression<unknown>,
  name: Expression<unknown>,
  id: Expression<unknown>,
): RawBuilder<unknown> {
  if (plan.after === null) return sql`true`;
  const a = plan.after;
  return sql`(${rank} < ${a.rank}::int OR (${rank} = ${a.rank}::int AND (${name}, ${id}) > (${a.name}, ${a.id}::uuid)))`;
}

/**
 * The end of every search statement, given the CTEs `ranked` (the page's servers: id, name, rank), `counts`
 * (total, remaining) and `hits` (term, server_id, kind, name, score: at least every match of the page's
 * servers, only capabilities the caller may see): each server's matching capabilities, each once, read in full
 * by key, its card (through the registry's door) and how many of its capabilities the caller may not see
 * (`withheld`, ADR 0036). Always one row at least: the total, with a page's server per row (none past the last
 * page).
 */
export function pageTail(
  orgId: string,
  hits: 'hits' | 'page_hits',
  visible: SearchVisibility,
): RawBuilder<unknown> {
  const shown = shownOf(orgId, visible, 'w');
  // Counted over the server's capabilities by the primary key's (org_id, server_id) prefix: a page's worth.
  const withheld =
    shown === null
      ? sql`0`
      : sql`(SELECT count(*) FROM capabilities w
             WHERE w.org_id = ${orgId}::uuid AND w.server_id = r.id AND NOT ${shown})`;
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
                                        'description', c.description, 'score', m.score, 'version', c.version,
                                        'definition', c.definition)
                      ORDER BY m.term, m.score DESC, m.kind, m.name) AS matches
      FROM shown m
      JOIN capabilities c
        ON c.org_id = ${orgId}::uuid AND c.server_id = m.server_id AND c.kind = m.kind AND c.name = m.name
      GROUP BY m.server_id
    )
    SELECT t.total, t.remaining, s.id, s.name, s.url, s.environment, s.tags, s.description, s.status, r.rank,
           x.matches, (${withheld})::int AS withheld
    FROM counts t
    LEFT JOIN (
      ranked r
      CROSS JOIN LATERAL ${serverCard(orgId, sql.ref<string>('r.id'))} s
      JOIN matches x ON x.server_id = r.id
    ) ON true
    ORDER BY r.rank DESC, r.name, r.id`;
}
