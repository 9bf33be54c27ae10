import type { SearchResult } from '@sprintconnect/contracts';
import { DEFAULT_LIMIT, type SearchPlan } from './search-plan.ts';

export const SEARCH_PATH = '/v1/discovery/servers';
/** Capability names a suggestion offers, like a "did you mean" line: a few, not a second result page. */
export const SUGGESTED_NAMES = 5;

/** The search performed, as the result echoes it. */
export function performed(plan: SearchPlan): SearchResult['query'] {
  return {
    capabilities: plan.terms.map((t) => t.text),
    fuzzy: plan.fuzzy,
    environment: plan.environment,
    tags: [...plan.tags],
    limit: plan.limit,
  };
}

/**
 * What to suggest when a search finds nothing (issue 10, point 3; ADR 0030): the same search with `fuzzy`,
 * which tolerates typos, finds words inside longer words and reads a name query as words. None for a search
 * that was fuzzy already: there is no looser one.
 */
export function fuzzyAlternative(plan: SearchPlan): SearchPlan | null {
  return plan.fuzzy ? null : { ...plan, fuzzy: true, after: null };
}

/** The URL of a search on this API: what a client follows to run the suggested search. */
export function searchHref(plan: SearchPlan): string {
  const q = new URLSearchParams({ capability: plan.terms.map((t) => t.text).join(',') });
  if (plan.fuzzy) q.set('fuzzy', 'true');
  if (plan.environment !== null) q.set('environment', plan.environment);
  if (plan.tags.length > 0) q.set('tags', plan.tags.join(','));
  if (plan.limit !== DEFAULT_LIMIT) q.set('limit', String(plan.limit));
  return `${SEARCH_PATH}?${q}`;
}

/** The capability names of the best items, in their order, each once, at most SUGGESTED_NAMES. */
export function suggestedNames(items: SearchResult['items']): string[] {
  const names = new Set<string>();
  for (const item of items) {
    for (const m of item.matches) {
      if (names.size === SUGGESTED_NAMES) return [...names];
      names.add(m.name);
    }
  }
  return [...names];
}
