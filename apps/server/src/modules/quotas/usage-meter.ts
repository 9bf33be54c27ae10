import type { Clock } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import * as repo from './budget.repo.ts';
import { BUDGET_UNIT, type BudgetMode, DEFAULT_BUDGET, thresholdsReached } from './budget-rules.ts';
import { monthPeriod } from './periods.ts';

/**
 * Counts each org's API calls toward its monthly budget off the request path (ADR 0016):
 *
 * - `record` adds to an in-memory counter per org and month; every `flushMs` the counters are added to
 *   `usage_months` in one transaction per org (like API-key usage records, identity/api-keys.usage.ts).
 * - The flush that first sees 80% or 100% reached sets the month's alert mark and records
 *   `budget.threshold_reached` in the same transaction; the upsert's row lock serializes processes and the
 *   mark is set only where it is still empty, so each threshold is announced once per month.
 * - `state` answers from a per-process cache of the budget and the month's persisted total, plus what this
 *   process has not flushed yet. A cache entry older than `refreshMs` is reloaded in the background (the
 *   request is answered from the old one); only an org's first request in a process or month waits for it.
 *
 * Allowed overshoot: calls other processes made in their last `flushMs + refreshMs` (about 2 s by default),
 * at most the org's rate limit for that long.
 */
export interface BudgetState {
  readonly month: string;
  readonly resetsAt: Date;
  readonly limit: number;
  readonly mode: BudgetMode;
  readonly overridden: boolean;
  readonly used: number;
}

export interface UsageMeter {
  record(orgId: string, at: Date): void;
  state(orgId: string): Promise<BudgetState>;
  /** Drops this process's cached budget of the org (after a change made here). */
  invalidate(orgId: string): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

interface Cached {
  month: string;
  limit: number;
  mode: BudgetMode;
  overridden: boolean;
  persisted: number;
  loadedAt: number;
}

const MAX_CACHED = 10_000;

export function createUsageMeter(deps: {
  db: Db;
  clock: Clock;
  flushMs?: number;
  refreshMs?: number;
  onError?: (e: unknown) => void;
}): UsageMeter {
  const { db, clock } = deps;
  const flushMs = deps.flushMs ?? 1000;
  const refreshMs = deps.refreshMs ?? 1000;
  /** Unflushed calls per `org|month`. */
  let pending = new Map<string, number>();
  /** Calls of the batch being written, still counted until the write has landed in the cache. */
  const writingNow = new Map<string, number>();
  const cache = new Map<string, Cached>();
  const loading = new Map<string, Promise<Cached>>();
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;

  const pendingKey = (orgId: string, month: string) => `${orgId}|${month}`;
  /** This process's calls not yet in the cached total: buffered, or in the batch being written. */
  const unwritten = (key: string) => (pending.get(key) ?? 0) + (writingNow.get(key) ?? 0);

  function load(orgId: string, month: string): Promise<Cached> {
    const key = pendingKey(orgId, month);
    let p = loading.get(key);
    if (p === undefined) {
      p = withTenant(db, orgId, async (tx) => {
        const budget = await repo.findBudget(tx, orgId, BUDGET_UNIT);
        const m = await repo.findMonth(tx, orgId, BUDGET_UNIT, month);
        return {
          month,
          limit: budget?.monthlyLimit ?? DEFAULT_BUDGET.limit,
          mode: budget?.mode ?? DEFAULT_BUDGET.mode,
          overridden: budget !== undefined,
          persisted: m.used,
          loadedAt: performance.now(),
        };
      })
        .then((c) => {
          if (cache.size >= MAX_CACHED && !cache.has(orgId)) cache.delete(cache.keys().next().value!);
          const current = cache.get(orgId);
          // A flush that finished meanwhile may know a larger total: keep the larger.
          if (current !== undefined && current.month === month)
            c.persisted = Math.max(c.persisted, current.persisted);
          cache.set(orgId, c);
          return c;
        })
        .finally(() => loading.delete(key));
      loading.set(key, p);
    }
    return p;
  }

  async function write(orgId: string, month: string, n: number): Promise<void> {
    const at = clock.now();
    const used = await withTenant(db, orgId, async (tx) => {
      const total = await repo.addUsage(tx, orgId, BUDGET_UNIT, month, n);
      const budget = await repo.findBudget(tx, orgId, BUDGET_UNIT);
      const limit = budget?.monthlyLimit ?? DEFAULT_BUDGET.limit;
      for (const threshold of thresholdsReached(total, limit)) {
        if (!(await repo.markAlert(tx, orgId, BUDGET_UNIT, month, threshold, at))) continue;
        await recordChange(
          tx,
          { type: 'system', id: 'budget', orgId },
          {
            action: 'budget.threshold_reached',
            target: { type: 'budget', id: BUDGET_UNIT },
            data: { threshold, month, used: total, limit, mode: budget?.mode ?? DEFAULT_BUDGET.mode },
          },
          clock,
        );
      }
      return total;
    });
    const c = cache.get(orgId);
    if (c !== undefined && c.month === month) c.persisted = Math.max(c.persisted, used);
  }

  function flush(): Promise<void> {
    writing = writing.then(async () => {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      for (const [key, n] of batch) writingNow.set(key, n);
      for (const [key, n] of batch) {
        const [orgId, month] = key.split('|') as [string, string];
        try {
          await write(orgId, month, n);
        } catch (e) {
          deps.onError?.(e);
          pending.set(key, (pending.get(key) ?? 0) + n);
        } finally {
          writingNow.delete(key);
        }
      }
    });
    return writing;
  }

  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();

  return {
    record(orgId, at) {
      if (stopped) return;
      const key = pendingKey(orgId, monthPeriod(at).key);
      pending.set(key, (pending.get(key) ?? 0) + 1);
    },

    async state(orgId) {
      const period = monthPeriod(clock.now());
      let c = cache.get(orgId);
      if (c === undefined || c.month !== period.key) c = await load(orgId, period.key);
      else if (performance.now() - c.loadedAt > refreshMs) void load(orgId, period.key).catch(deps.onError);
      return {
        month: period.key,
        resetsAt: period.resetsAt,
        limit: c.limit,
        mode: c.mode,
        overridden: c.overridden,
        used: c.persisted + unwritten(pendingKey(orgId, period.key)),
      };
    },

    invalidate(orgId) {
      cache.delete(orgId);
    },

    flush,

    async stop() {
      if (stopped) return writing;
      stopped = true;
      clearInterval(timer);
      await flush();
    },
  };
}
