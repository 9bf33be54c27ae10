import type { BudgetView, SetBudgetInput } from '@sprintconnect/contracts';
import type { Actor, Clock } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import * as repo from './budget.repo.ts';
import { BUDGET_UNIT, DEFAULT_BUDGET } from './budget-rules.ts';
import { monthPeriod } from './periods.ts';
import type { UsageMeter } from './usage-meter.ts';

export interface BudgetService {
  get(actor: Actor): Promise<BudgetView>;
  /** Sets the org's budget (a `null` limit returns to the default); audited. */
  set(actor: Actor, input: SetBudgetInput): Promise<BudgetView>;
}

export function createBudgetService(deps: {
  db: Db;
  clock: Clock;
  meter: UsageMeter;
  throttlePerMinute: number;
}): BudgetService {
  const { db, clock } = deps;

  async function view(tx: Tx, orgId: string, now: Date): Promise<BudgetView> {
    const period = monthPeriod(now);
    const budget = await repo.findBudget(tx, orgId, BUDGET_UNIT);
    const month = await repo.findMonth(tx, orgId, BUDGET_UNIT, period.key);
    const limit = budget?.monthlyLimit ?? DEFAULT_BUDGET.limit;
    return {
      unit: BUDGET_UNIT,
      month: period.key,
      limit,
      mode: budget?.mode ?? DEFAULT_BUDGET.mode,
      throttlePerMinute: deps.throttlePerMinute,
      overridden: budget !== undefined,
      used: month.used,
      remaining: Math.max(0, limit - month.used),
      percent: limit === 0 ? 100 : Math.round((month.used / limit) * 10_000) / 100,
      resetsAt: period.resetsAt.toISOString(),
      alerts: {
        at80: month.alerted80At?.toISOString() ?? null,
        at100: month.alerted100At?.toISOString() ?? null,
      },
    };
  }

  return {
    get: (actor) => withTenant(db, actor.orgId, (tx) => view(tx, actor.orgId, clock.now())),

    async set(actor, input) {
      const now = clock.now();
      const result = await withTenant(db, actor.orgId, async (tx) => {
        const before = await repo.findBudget(tx, actor.orgId, BUDGET_UNIT);
        const mode = input.mode ?? before?.mode ?? DEFAULT_BUDGET.mode;
        if (input.limit === null && input.mode === undefined)
          await repo.deleteBudget(tx, actor.orgId, BUDGET_UNIT);
        else
          await repo.upsertBudget(tx, {
            orgId: actor.orgId,
            unit: BUDGET_UNIT,
            limit: input.limit ?? DEFAULT_BUDGET.limit,
            mode,
            at: now,
            by: `${actor.type}:${actor.id}`,
          });
        await recordChange(
          tx,
          actor,
          {
            action: 'budget.changed',
            target: { type: 'budget', id: BUDGET_UNIT },
            data: {
              from: {
                limit: before?.monthlyLimit ?? DEFAULT_BUDGET.limit,
                mode: before?.mode ?? DEFAULT_BUDGET.mode,
              },
              to: { limit: input.limit ?? DEFAULT_BUDGET.limit, mode },
            },
          },
          clock,
        );
        return view(tx, actor.orgId, now);
      });
      // This process sees the change at once; the others within their refresh interval (ADR 0016).
      deps.meter.invalidate(actor.orgId);
      return result;
    },
  };
}
