import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { Principal } from '../identity/index.ts';
import { type BudgetService, createBudgetService } from './budget.service.ts';
import { createOrgTraffic } from './org-traffic.ts';
import { quotaRoutes } from './quotas.routes.ts';
import { createQuotaService, type QuotaService } from './quotas.service.ts';
import { createRateClassThrottle, type RateClassThrottle } from './rate-class-throttle.ts';
import { createUsageMeter, type UsageMeter } from './usage-meter.ts';

export interface QuotasModule {
  readonly name: 'quotas';
  /** Quotas (servers, discoveries per day, API keys), one mechanism for every module (ADR 0016, ADR 0025). */
  readonly service: QuotaService;
  readonly budgets: BudgetService;
  /** Each org's API calls toward its monthly budget, counted in memory and written in batches. */
  readonly usage: UsageMeter;
  /** The rate classes a policy obligation can hold a caller to (docs/rate-limits.md). */
  readonly throttle: RateClassThrottle;
  /** `/v1/quotas`, `/v1/budget`. */
  readonly routes: readonly FastifyPluginAsync[];
  readonly hooks: {
    /** After the caller's own limit: its org's rate limit and monthly budget, one set of RateLimit fields. */
    readonly admitOrg: (
      p: Principal,
      request: { readonly method: string; readonly route: string | undefined },
      upstream: Readonly<Record<string, string>>,
    ) => Promise<Record<string, string>>;
  };
  /** Writes what is counted and not yet written. */
  close(): Promise<void>;
}

/** How much an org may hold and do (ADR 0016): quotas, the monthly budget, the org's rate and rate classes. */
export function createQuotasModule(
  deps: Pick<Platform, 'db' | 'clock' | 'perMinute'> & {
    config: Pick<Config, 'orgRateLimit' | 'budgetThrottleRate'>;
    /** How often counted budget usage is written and cached budgets re-read (default 1 s each). */
    options?: { budgetUsage?: { flushMs?: number; refreshMs?: number } | undefined } | undefined;
  },
): QuotasModule {
  const { db, clock, config } = deps;
  const service = createQuotaService({ db, clock });
  // Per org: a rate limit shared by all processes, and a monthly budget counted off the request path.
  const usage = createUsageMeter({
    db,
    clock,
    flushMs: deps.options?.budgetUsage?.flushMs,
    refreshMs: deps.options?.budgetUsage?.refreshMs,
  });
  const traffic = createOrgTraffic({
    limiter: deps.perMinute(config.orgRateLimit, 'org'),
    throttle: deps.perMinute(config.budgetThrottleRate, 'org_budget_throttle'),
    meter: usage,
    clock,
  });
  const budgets = createBudgetService({
    db,
    clock,
    meter: usage,
    throttlePerMinute: config.budgetThrottleRate,
  });
  return {
    name: 'quotas',
    service,
    budgets,
    usage,
    throttle: createRateClassThrottle(deps.perMinute),
    routes: [quotaRoutes(service, budgets)],
    hooks: { admitOrg: (p, request, upstream) => traffic.admit(p, request, upstream) },
    close: () => usage.stop(),
  };
}
