import type { SearchInput } from '@sprintconnect/contracts';
import { AppError, type FieldError, isAppError, readCursor } from '../../kernel/index.ts';
import { nameWords } from './words.ts';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
export const MAX_TERMS = 10;
/** Words longer than this (in characters) are not in the word index (capability_words, migration 002). */
const MAX_INDEXED_WORD = 100;
export const isIndexedWord = (w: string) => [...w].length <= MAX_INDEXED_WORD;

/**
 * Typos tolerated in a fuzzy query word, as edits (Levenshtein): none up to 3 letters, where one edit makes
 * another common word; one up to 7; two beyond. Stricter than Lucene's AUTO (1 from 3, 2 from 6), which
 * would let `datadg` (for `datadog`) also stand for `data`, a word found in many descriptions.
 */
export function typoBudget(word: string): 0 | 1 | 2 {
  const n = [...word].length;
  return n <= 3 ? 0 : n <= 7 ? 1 : 2;
}

/**
 * What a term asks for without `fuzzy` (issue 10, point 3; ADR 0030):
 * - `name`: one token of several words (`get_current_weather`, `getCurrentWeather`, `files/read`) is a
 *   capability's name as its server spells it; it matches a name equal to it (ignoring case) and nothing else,
 *   so `get_current_weather` does not find `getCurrentWeather`.
 * - `words`: one word (`weather`), or words apart (`current weather`): a name equal to it, then names holding
 *   the words whole and in order, then capabilities with every word whole in the name or description.
 */
export type TermKind = 'name' | 'words';

/** `name` for one token that splits into several words; spaces mean the caller wrote words, not a name. */
export function termKind(text: string, words: readonly string[]): TermKind {
  return words.length > 1 && !/\s/u.test(text) ? 'name' : 'words';
}

export interface SearchTerm {
  /** As the caller wrote it (trimmed): echoed in the result and in each match. */
  readonly text: string;
  /** Lower-cased, for the exact-name comparison. */
  readonly lower: string;
  /** Its words, split like capability names; empty when the term has no letters or digits. */
  readonly words: readonly string[];
  readonly kind: TermKind;
}

/**
 * Where a page starts: after this server in the ranking (rank desc, name, id). `rank` is the score in
 * ten-thousandths, as the API shows it, so the order a client sees is the order pages follow.
 */
export interface SearchAfter {
  readonly rank: number;
  readonly name: string;
  readonly id: string;
}

export interface SearchPlan {
  readonly terms: readonly SearchTerm[];
  readonly fuzzy: boolean;
  readonly environment: 'development' | 'staging' | 'production' | null;
  readonly tags: readonly string[];
  readonly limit: number;
  readonly after: SearchAfter | null;
}

const split = (s: string | undefined) => (s === undefined ? [] : s.split(',').map((t) => t.trim()));

/**
 * Turns the query string into a plan, or fails with one field error per problem. The HTTP schema already
 * rejects most of these; this is the check every other caller (the MCP tools, the SDK's users) goes through.
 */
export function planSearch(input: SearchInput): SearchPlan {
  const errors: FieldError[] = [];
  const raw = split(input.capability);
  if (raw.length === 0) errors.push({ pointer: '/capability', detail: 'name at least one capability' });
  raw.forEach((t, i) => {
    if (t === '')
      errors.push({ pointer: '/capability', detail: `term ${i + 1} is empty; remove the extra comma` });
  });
  if (raw.length > MAX_TERMS) errors.push({ pointer: '/capability', detail: `at most ${MAX_TERMS} terms` });
  const tags = split(input.tags);
  tags.forEach((t, i) => {
    if (t === '') errors.push({ pointer: '/tags', detail: `tag ${i + 1} is empty; remove the extra comma` });
  });
  const limit = input.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    errors.push({ pointer: '/limit', detail: `must be an integer from 1 to ${MAX_LIMIT}` });
  }
  let after: SearchAfter | null = null;
  if (input.cursor !== undefined) {
    try {
      const [rank, name, id] = readCursor(input.cursor, ['int', 'text', 'uuid']);
      after = { rank, name, id };
    } catch (e) {
      if (!isAppError(e)) throw e;
      errors.push(...(e.errors ?? []));
    }
  }
  if (errors.length > 0) throw new AppError('validation_failed', 'The search query is invalid.', { errors });

  // The same term twice would demand the same capability twice: keep the first spelling.
  const seen = new Set<string>();
  const terms: SearchTerm[] = [];
  for (const text of raw) {
    const lower = text.toLowerCase();
    if (seen.has(lower)) continue;
    seen.add(lower);
    const words = nameWords(text);
    terms.push({ text, lower, words, kind: termKind(text, words) });
  }
  return {
    terms,
    fuzzy: input.fuzzy ?? false,
    environment: input.environment ?? null,
    tags: [...new Set(tags.map((t) => t.toLowerCase()))],
    limit,
    after,
  };
}
