import type { CedarDecision } from '../../platform/policy/index.ts';

/**
 * Cedar is a pure function of its input: the same policy set, request, context and entities always give the
 * same answer. The PDP hashes that whole input for its log anyway, so it remembers recent answers under
 * (policy-set id, input hash) and skips the wasm call (about 0.2 ms) when the same question comes again, e.g.
 * a client polling one server, or a page of search results. The time in the context has minute precision and
 * the set id changes with every policy or role change, so nothing stale can match. Bounded, oldest out first.
 */
export interface DecisionMemo {
  get(setId: string, inputHash: string): CedarDecision | undefined;
  set(setId: string, inputHash: string, d: CedarDecision): void;
  stats(): { hits: number; misses: number; size: number };
}

export function createDecisionMemo(max = 20_000): DecisionMemo {
  const entries = new Map<string, CedarDecision>();
  let hits = 0;
  let misses = 0;
  return {
    get(setId, inputHash) {
      const d = entries.get(`${setId}\0${inputHash}`);
      if (d === undefined) misses++;
      else hits++;
      return d;
    },
    set(setId, inputHash, d) {
      // Errors are not remembered: a failing decision is retried (and denied) every time.
      if (d.errors.length > 0) return;
      if (entries.size >= max) entries.delete(entries.keys().next().value as string);
      entries.set(`${setId}\0${inputHash}`, d);
    },
    stats: () => ({ hits, misses, size: entries.size }),
  };
}
