import { type RawBuilder, sql } from 'kysely';
import { type SearchPlan, type SearchTerm, typoBudget } from './search-plan.ts';
import { andShown } from './shown-capabilities.repo.ts';

/** True for a capability row `c` the caller may see; null when every one is (shown-capabilities.repo.ts). */
type Shown = RawBuilder<boolean> | null;

/** How many vocabulary words one fuzzy query word may stand for, closest first. */
const EXPANSIONS_PER_WORD = 16;

/*
 * The candidate capabilities of one term, as `(term, server_id, kind, name, score)` rows ("arms", joined by
 * UNION ALL in search.repo.ts). Scores, all in [0, 1], so that a better kind of match always ranks above a
 * worse one:
 *   1                    the name equals the term (case-insensitive);
 *   0.6 + 0.35 * k / n   the name's n words contain the term's k words, contiguous and in order;
 *   0.55 * mean(sim)     each term word stands for a word of the name (x1) or description (x0.7), sim being
 *                        1 for the word itself and, with fuzzy only, 1 - edits / length for a typo and
 *                        0.6 + 0.3 * (its share of the word) for a word containing it.
 * So a name match (>= 0.6) always ranks above a description match (<= 0.55): issue 10, point 3.
 * A capability found by several arms appears several times; the ranking keeps its best score. A capability
 * withheld from the caller (`shown`, ADR 0036) is found by no arm.
 */

const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');
const likePattern = (s: string) => `%${escapeLike(s)}%`;
// The expression of the GIN index capabilities_search_keys (migration 002), verbatim for the planner.
const searchKeys = sql`capability_search_keys(c.org_id, c.name_words, c.description)`;
// Space-padded, so that strpos finds words whole: ` get current weather ` holds ` current weather `.
const paddedNameWords = sql`(' ' || array_to_string(c.name_words, ' ') || ' ')`;

/** The name equals the term, ignoring case: the name btree (migration 001), for both kinds of term. */
function equalNameArm(orgId: string, i: number, t: SearchTerm, shown: Shown): RawBuilder<unknown> {
  return sql`SELECT ${i}::int AS term, c.server_id, c.kind, c.name, 1.0::float8 AS score
    FROM capability_search c
    WHERE c.org_id = ${orgId}::uuid AND lower(c.name) = lower(${t.lower})${andShown(shown)}`;
}

/** The name holds the term's words whole and in order (name word keys): fuzzy search's phrase arm. */
function phraseArm(orgId: string, i: number, t: SearchTerm, shown: Shown): RawBuilder<unknown> {
  const phrase = ` ${t.words.join(' ')} `;
  return sql`SELECT ${i}::int AS term, c.server_id, c.kind, c.name,
             (0.6 + 0.35 * ${t.words.length}::float8 / cardinality(c.name_words))::float8 AS score
      FROM capability_search c
      WHERE c.org_id = ${orgId}::uuid
        AND ${searchKeys} @> ${t.words.map((w) => `${orgId}:n:${w}`)}::text[]
        AND strpos(${paddedNameWords}, ${phrase}) > 0${andShown(shown)}`;
}

/** Words found apart: at most this (every word in the name), so always below a name match (>= 0.6). */
const WORDS_TIER = 0.55;
/** A word of the description counts this much of one of the name. */
const IN_DESCRIPTION = 0.7;

/** The score of a capability `c` holding every word of the term whole (wordsArm): name words in order first. */
function wordsScore(t: SearchTerm): RawBuilder<unknown> {
  const k = t.words.length;
  // One word is in the name in order when it is in the name at all (cheaper than strpos on every row).
  const inOrder =
    k === 1
      ? sql`${t.words[0]} = ANY (c.name_words)`
      : sql`strpos(${paddedNameWords}, ${` ${t.words.join(' ')} `}) > 0`;
  const perWord = t.words.map(
    (w) => sql`CASE WHEN ${w} = ANY (c.name_words) THEN 1 ELSE ${sql.lit(IN_DESCRIPTION)} END`,
  );
  return sql`(CASE WHEN ${inOrder} THEN 0.6 + 0.35 * ${k}::float8 / cardinality(c.name_words)
      ELSE ${sql.lit(WORDS_TIER)} * (${sql.join(perWord, sql` + `)}) / ${k}::float8 END)::float8`;
}

/**
 * Every word of the term whole in the name or description (name-or-description word keys, one index lookup
 * for both), scored as a name match when the name holds them in order and as a word match otherwise.
 */
function wordsArm(orgId: string, i: number, t: SearchTerm, shown: Shown): RawBuilder<unknown> {
  return sql`SELECT ${i}::int AS term, c.server_id, c.kind, c.name, ${wordsScore(t)} AS score
      FROM capability_search c
      WHERE c.org_id = ${orgId}::uuid
        AND ${searchKeys} @> ${t.words.map((w) => `${orgId}:w:${w}`)}::text[]${andShown(shown)}`;
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
function fuzzyArm(orgId: string, i: number, t: SearchTerm, shown: Shown): RawBuilder<unknown> {
  const sim = sql`e.sim * CASE WHEN e.word = ANY (c.name_words) THEN 1 ELSE 0.7 END`;
  if (t.words.length === 1) {
    // One lookup per expansion; a capability found through several is found several times, and the ranking
    // keeps the best. The word itself in the name is the phrase arm's whole-word match, scored as such here
    // because that arm is left out (it would fetch the same rows again).
    const score = sql`CASE WHEN e.word = ${t.words[0]} AND e.word = ANY (c.name_words)
      THEN 0.6 + 0.35 / cardinality(c.name_words) ELSE 0.55 * ${sim} END`;
    return sql`
      SELECT ${i}::int AS term, c.server_id, c.kind, c.name, (${score})::float8 AS score
      FROM expansions e
      CROSS JOIN LATERAL (
        SELECT c.server_id, c.kind, c.name, c.name_words
        FROM capability_search c
        WHERE c.org_id = ${orgId}::uuid AND ${searchKeys} @> ARRAY[${`${orgId}:w:`} || e.word]${andShown(shown)}
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
        WHERE c.org_id = ${orgId}::uuid AND ${sql.join(everyWord, sql` AND `)}${andShown(shown)}
      ) c
      CROSS JOIN LATERAL unnest(capability_words(c.name_words, c.description)) AS w(word)
      JOIN expansions e ON e.term = ${i}::int AND e.word = w.word
      GROUP BY 1, 2, 3, 4
    ) c
    GROUP BY c.server_id, c.kind, c.name
    HAVING count(*) = ${t.words.length}::int`;
}

/** The arms of every term, and the fuzzy expansions they read (empty without fuzzy). */
export function termArms(orgId: string, plan: SearchPlan, byWords: (t: SearchTerm) => boolean, shown: Shown) {
  const arms = plan.terms.flatMap((t, i) => {
    if (!byWords(t)) return [equalNameArm(orgId, i, t, shown)];
    if (plan.fuzzy) {
      // A one-word term's fuzzy arm also finds and scores its whole-word matches (see fuzzyArm).
      const phrase = t.words.length > 1 ? [phraseArm(orgId, i, t, shown)] : [];
      return [equalNameArm(orgId, i, t, shown), ...phrase, fuzzyArm(orgId, i, t, shown)];
    }
    // A name, written as one token of several words, matches that name only (issue 10, point 3).
    if (t.kind === 'name') return [equalNameArm(orgId, i, t, shown)];
    return [equalNameArm(orgId, i, t, shown), wordsArm(orgId, i, t, shown)];
  });
  const expansions = plan.fuzzy
    ? plan.terms.flatMap((t, i) => (byWords(t) ? t.words.map((w, part) => expansion(orgId, i, part, w)) : []))
    : [];
  return { arms, expansions };
}

/*
 * One word, without fuzzy (search.repo.ts reads such a search in tiers, ADR 0030 amended): a server's score is
 * its best capability's, and every capability with the word only in its description scores the same, below
 * any with the word in its name. So the servers found only by descriptions need no ranking among themselves
 * beyond name and id, and the few found by name are ranked as above.
 */

/** The capabilities whose name equals the one-word term or holds its word: the arms' name tier. */
export function namedArms(orgId: string, t: SearchTerm, shown: Shown): RawBuilder<unknown> {
  return sql`${equalNameArm(orgId, 0, t, shown)}
    UNION ALL
    SELECT 0::int AS term, c.server_id, c.kind, c.name, ${wordsScore(t)} AS score
    FROM capability_search c
    WHERE c.org_id = ${orgId}::uuid AND ${searchKeys} @> ${[`${orgId}:n:${t.words[0]}`]}::text[]${andShown(shown)}`;
}

/**
 * What wordsArm scores a capability holding the word of a one-word term only in its description, in
 * ten-thousandths rounded as every rank is (0.385 -> 3850): the rank of every server found by descriptions
 * alone. A number, not SQL, so that the planner folds the cursor's comparison with it into an index range.
 */
export const DESCRIBED_RANK = Math.round(WORDS_TIER * IN_DESCRIPTION * 10_000);

/**
 * The score of capability row `c` for the one-word term, the best of what equalNameArm and wordsArm give it,
 * or NULL when neither matches: for the capabilities of the servers on a page, read by their key.
 */
export function oneWordScore(t: SearchTerm): RawBuilder<unknown> {
  return sql`greatest(CASE WHEN lower(c.name) = lower(${t.lower}) THEN 1.0::float8 END,
      CASE WHEN ${hasWord(t.words[0]!)} THEN ${wordsScore(t)} END)`;
}

/** Whether capability row `c` holds word `w` whole, in its name or description (a `w:` key of its own). */
export function hasWord(w: string): RawBuilder<boolean> {
  // The word is one of capability_words (the `w:` keys): in the name, or a word of the first 2000 characters
  // of the description, which it can only be when that text holds it at all (a cheap test that spares
  // building the words of every other capability of the server).
  return sql<boolean>`(${w} = ANY (c.name_words) OR (strpos(lower(left(c.description, 2000)), ${w}) > 0
      AND ${w} = ANY (capability_words(c.name_words, c.description))))`;
}
