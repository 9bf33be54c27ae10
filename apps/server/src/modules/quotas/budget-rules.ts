/**
 * The pure part of budgets: the built-in default, which alert thresholds a usage has reached, and what the
 * admission does with a budget's state. ADR 0016.
 */
export type BudgetMode = 'block' | 'throttle';

/** What is counted now; tool invocations join when the gateway lands. */
export const BUDGET_UNIT = 'api_calls';

export const DEFAULT_BUDGET: { readonly limit: number; readonly mode: BudgetMode } = Object.freeze({
  limit: 1_000_000,
  mode: 'throttle',
});

export const THRESHOLDS = [80, 100] as const;
export type Threshold = (typeof THRESHOLDS)[number];

/** The thresholds (percent of the limit) that `used` has reached, in integers so 80% of 5 is 4, not 3.99. */
export function thresholdsReached(used: number, limit: number): Threshold[] {
  return THRESHOLDS.filter((t) => used * 100 >= limit * t);
}

export type BudgetVerdict = 'within' | 'blocked' | 'throttled';

export function verdict(used: number, limit: number, mode: BudgetMode): BudgetVerdict {
  if (used < limit) return 'within';
  return mode === 'block' ? 'blocked' : 'throttled';
}
