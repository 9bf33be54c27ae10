import { type CompiledQuery, type RawBuilder, sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { CapabilityFacts, ResourceFilter, ServerFacts } from '../authz/index.ts';
import { policyFilterSql } from '../registry/index.ts';
import { isIndexedWord, type SearchPlan, type SearchTerm, typoBudget } from './search-plan.ts';

/** How many vocabulary words one fuzzy query word may stand for, closest first. */
const EXPANSIONS_PER_WORD = 16;
/** Matches listed per term and server (the best ones); the score already counts them all. */
export const MATCHES_PER_TERM = 10;

export interface MatchRow {
  term: number;
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
  score: number;
  total: number;
  matches: MatchRow[];
}

/*
 * Scores, all in [0, 1], so that a better kind of match always ranks above a worse one:
 *   1                    the name equals the term (case-insensitive);
 *   0.6 + 0.35 * k / n   the name's n words contain the term's k words, contiguous and in order;
 *   0.55 * mean(sim)     fuzzy: each term word stands for a word of the name (x1) or description (x0.7),
 *                        sim being 1 for the word itself, 1 - edits / length for a typo, and
 *                        0.6 + 0.3 * (its share of the word) for a word containing it.
 * A server scores the mean over the terms of its best match per term.
 */

const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');
const likePattern = (s: string) => `%${escapeLike(s)}%`;
// The expression of the GIN index capabilities_search_keys (migration 002), verbatim for the planner.
const searchKeys = sql`capability_search_keys(c.org_id, c.name_words, c.description)`;

/**
 * Capabilities whose name equals the term (name btree), and those whose name holds its words in order (word
 * keys). Two arms rather than one OR, so the thousand rows a common word finds skip the name comparison; a
 * capability found by both appears twice, and the ranking keeps its better score.
 */
function exactArms(orgId: string, i: number, t: SearchTerm, byWords: boolean): RawBuilder<unknown>[] {
  const arms = [
    sql`SELECT ${i}::int AS term, c.server_id, c.kind, c.name, 1.0::float8 AS score
        FROM capability_search c
        WHERE c.org_id = ${orgId}::uuid AND lower(c.name) = lower(${t.lower})`,
  ];
  if (byWords) {
    let words = sql`${searchKeys} @> ${t.words.map((w) => `${orgId}:n:${w}`)}::text[]`;
    // The index finds names holding every word; the space-padded recheck makes them whole and in order.
    if (t.words.length > 1) {
      const phrase = ` ${t.words.join(' ')} `;
      words = sql`${words} AND strpos(' ' || array_to_string(c.name_words, ' ') || ' ', ${phrase}) > 0`;
    }
    arms.push(
      sql`SELECT ${i}::int AS term, c.server_id, c.kind, c.name,
                 (0.6 + 0.35 * ${t.words.length}::float8 / cardinality(c.name_words))::float8 AS score
          FROM capability_search c
          WHERE c.org_id = ${orgId}::uuid AND ${words}`,
    );
  }
  return arms;
}

/** The org's words that word `part` of term `i` may stand for: itself, a typo away, or containing it. */
function expansion(orgId: string, i: number, part: number, word: string): RawBuilder<unknown> {
  const edits = typoBudget(word);
  const length = [...word].length;
  const distance = sql`levenshtein_less_equal(v.word, ${word}, ${edits}::int)`;
  const sim = sql`CASE WHEN v.word = ${word} THEN 1.0
      WHEN strpos(v.word, ${word}) > 0 THEN 0.6 + 0.3 * ${length}::float8 / length(v.word)
      ELSE 1 - ${distance}::float8 / greatest(length(v.word), ${length}) END`;
  // Candidates from the trigram index: words containing it, similar ones, and those with the same first two
  // letters (one typo changes most trigrams of a short word: `zoam` shares a quarter of `zoom`'s). Only the
  // candidates within the typo budget are accepted.
  const prefix = `${escapeLike([...word].slice(0, 2).join(''))}%`;
  const candidates =
    edits === 0
      ? sql`v.word LIKE ${likePattern(word)}`
      : sql`(v.word LIKE ${likePattern(word)} OR v.word % ${word} OR v.word LIKE ${prefix})`;
  return sql`
    SELECT ${i}::int AS term, ${part}::int AS part, v.word, v.sim FROM (
      SELECT v.word, (${sim})::float8 AS sim
      FROM capability_vocabulary_search v
      WHERE v.org_id = ${orgId}::uuid AND ${candidates}
        AND (strpos(v.word, ${word}) > 0 OR ${distance} <= ${edits}::int)
      ORDER BY 2 DESC, 1
      LIMIT ${EXPANSIONS_PER_WORD}::int
    ) v`;
}

/** Capabilities with, for every word of the term, a word of its expansion in the name or description. */
function fuzzyArm(orgId: string, i: number, t: SearchTerm): RawBuilder<unknown> {
  const sim = sql`e.sim * CASE WHEN e.word = ANY (c.name_words) THEN 1 ELSE 0.7 END`;
  if (t.words.length === 1) {
    // One lookup per expansion; a capability found through several is found several times, and the ranking
    // keeps the best. The word itself in the name is the exact arm's whole-word match, scored as such here
    // because that arm is left out (it would fetch the same rows again).
    const score = sql`CASE WHEN e.word = ${t.words[0]} AND e.word = ANY (c.name_words)
      THEN 0.6 + 0.35 / cardinality(c.name_words) ELSE 0.55 * ${sim} END`;
    return sql`
      SELECT ${i}::int AS term, c.server_id, c.kind, c.name, (${score})::float8 AS score
      FROM expansions e
      CROSS JOIN LATERAL (
        SELECT c.server_id, c.kind, c.name, c.name_words
        FROM capability_search c
        WHERE c.org_id = ${orgId}::uuid AND ${searchKeys} @> ARRAY[${`${orgId}:w:`} || e.word]
      ) c
      WHERE e.term = ${i}::int`;
  }
  // Several words: one index scan intersects "any expansion of word 1" with "any of word 2"... (a common word
  // such as `current` alone would fetch tens of thousands of rows); then each capability's words are matched
  // against the expansions to score it.
  const everyWord = t.words.map(
    (_, part) => sql`${searchKeys} && (
      SELECT coalesce(array_agg(${`${orgId}:w:`} || e.word), '{}') FROM expansions e
      WHERE e.term = ${i}::int AND e.part = ${part}::int)`,
  );
  return sql`
    SELECT ${i}::int AS term, c.server_id, c.kind, c.name,
           (0.55 * sum(c.sim) / ${t.words.length}::float8)::float8 AS score
    FROM (
      SELECT c.server_id, c.kind, c.name, e.part, max(${sim}) AS sim
      FROM (
        SELECT c.server_id, c.kind, c.name, c.name_words, c.description
        FROM capability_search c
        WHERE c.org_id = ${orgId}::uuid AND ${sql.join(everyWord, sql` AND `)}
      ) c
      CROSS JOIN LATERAL unnest(capability_words(c.name_words, c.description)) AS w(word)
      JOIN expansions e ON e.term = ${i}::int AND e.word = w.word
      GROUP BY 1, 2, 3, 4
    ) c
    GROUP BY c.server_id, c.kind, c.name
    HAVING count(*) = ${t.words.length}::int`;
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
  const fuzzy = (t: SearchTerm) => plan.fuzzy && byWords(t);
  const arms = plan.terms.flatMap((t, i) =>
    fuzzy(t)
      ? // A one-word term's fuzzy arm also finds and scores its whole-word matches (see fuzzyArm).
        [...exactArms(orgId, i, t, t.words.length > 1), fuzzyArm(orgId, i, t)]
      : exactArms(orgId, i, t, byWords(t)),
  );
  const expansions = plan.terms.flatMap((t, i) =>
    fuzzy(t) ? t.words.map((w, part) => expansion(orgId, i, part, w)) : [],
  );
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

/**
 * The one statement a search runs, as the repository sends it; the index test EXPLAINs exactly this.
 * Candidates come first, each term from its own index lookups (capability_search applies the tenant itself,
 * see migration 002); the servers having every term are then reached by primary key (where the caller's
 * policy filter applies), and only the capabilities shown are read in full.
 */
export function compileSearchQuery(
  db: Db,
  orgId: string,
  plan: SearchPlan,
  visible: SearchVisibility = {},
): CompiledQuery<SearchRow> {
  const query = sql<SearchRow>`
    ${candidates(orgId, plan)},
    ranked AS MATERIALIZED (
      SELECT s.id, s.name, s.url, s.environment, s.tags, s.description, s.status, p.score,
             count(*) OVER () AS total
      FROM per_server p
      -- By primary key, one server per candidate: LIMIT 1 keeps the planner from making this a hash join
      -- over a scan of all the org's servers when it guesses many candidates.
      CROSS JOIN LATERAL (
        SELECT s.id, s.name, s.url, s.environment, s.tags, s.description, s.status
        FROM servers s
        WHERE ${sql.join(serverFilters(orgId, plan, visible), sql` AND `)}
        LIMIT 1
      ) s
      ORDER BY p.score DESC, s.name, s.id
      LIMIT ${plan.limit}::int
    ),
    shown AS (
      SELECT h.term, h.server_id, h.kind, h.name, max(h.score) AS score,
             row_number() OVER (PARTITION BY h.server_id, h.term
                                ORDER BY max(h.score) DESC, h.kind, h.name) AS rank
      FROM hits h
      WHERE h.server_id IN (SELECT id FROM ranked)
      GROUP BY 1, 2, 3, 4
    ),
    matches AS (
      SELECT m.server_id,
             json_agg(json_build_object('term', m.term, 'kind', m.kind, 'name', m.name,
                                        'description', c.description, 'score', m.score, 'version', v.version,
                                        'definition', c.definition)
                      ORDER BY m.term, m.score DESC, m.kind, m.name) AS matches
      FROM shown m
      JOIN capabilities c
        ON c.org_id = ${orgId}::uuid AND c.server_id = m.server_id AND c.kind = m.kind AND c.name = m.name
      JOIN capability_versions v ON v.org_id = c.org_id AND v.id = c.version_id
      WHERE m.rank <= ${MATCHES_PER_TERM}::int
      GROUP BY m.server_id
    )
    SELECT r.id, r.name, r.url, r.environment, r.tags, r.description, r.status, r.score, r.total, x.matches
    FROM ranked r
    JOIN matches x ON x.server_id = r.id
    ORDER BY r.score DESC, r.name, r.id`;
  return query.compile(db);
}

export async function searchServers(
  tx: Tx,
  orgId: string,
  plan: SearchPlan,
  visible: SearchVisibility = {},
): Promise<SearchRow[]> {
  const r = await tx.executeQuery(compileSearchQuery(tx, orgId, plan, visible));
  return r.rows;
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
