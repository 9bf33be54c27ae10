import type { Clock } from '../../kernel/index.ts';
import { AppError, orgScopedKey } from '../../kernel/index.ts';
import type { LeaseLimiter } from '../../platform/ratelimit/index.ts';
import { mergeRateLimitHeaders, rateLimitHeaders } from '../../platform/ratelimit/index.ts';
import type { Principal } from '../identity/index.ts';
import { verdict } from './budget-rules.ts';
import { secondsUntil } from './periods.ts';
import type { UsageMeter } from './usage-meter.ts';

/**
 * What every authenticated /v1 request of an org passes after its API key's own limit (ADR 0016):
 *
 * 1. the org's rate limit, shared by all processes (policy `org`);
 * 2. the org's monthly budget: within it, nothing more; exhausted in `block` mode, 429 budget_exhausted until
 *    the month ends; exhausted in `throttle` mode, a lower per-org rate (policy `budget-throttle`).
 *
 * The budget routes themselves are exempt from step 2, so an admin can always read and raise a budget.
 * Every admitted request counts toward the budget, at admission (so this process's own count is never behind);
 * refused ones do not.
 */
export interface OrgTraffic {
  admit(
    principal: Principal,
    request: { readonly method: string; readonly route: string | undefined },
    upstream?: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>>;
}

const BUDGET_EXEMPT: ReadonlySet<string> = new Set(['/v1/budget']);

export function createOrgTraffic(deps: {
  limiter: LeaseLimiter;
  throttle: LeaseLimiter;
  meter: UsageMeter;
  clock: Clock;
}): OrgTraffic {
  return {
    async admit(principal, request, upstream = {}) {
      const orgId = principal.orgId;
      const a = await deps.limiter.admit(orgScopedKey(orgId, 'requests'));
      let headers = mergeRateLimitHeaders(upstream, rateLimitHeaders(a, 'org'));
      if (!a.allowed) {
        throw new AppError(
          'rate_limited',
          `This organization may make ${a.limit} requests per ${a.windowSeconds} seconds across all its ` +
            `callers; retry in ${a.resetSeconds} s.`,
          { headers },
        );
      }
      const count = () => deps.meter.record(orgId, deps.clock.now());
      if (request.route !== undefined && BUDGET_EXEMPT.has(request.route)) {
        count();
        return headers;
      }

      const b = await deps.meter.state(orgId);
      switch (verdict(b.used, b.limit, b.mode)) {
        case 'within':
          count();
          return headers;
        case 'blocked': {
          const now = deps.clock.now();
          throw new AppError(
            'budget_exhausted',
            `The organization has used its monthly budget of ${b.limit} API calls for ${b.month} (${b.used} used); ` +
              `requests are refused until ${b.resetsAt.toISOString()}. An owner or admin can raise it with PUT /v1/budget.`,
            {
              headers: { ...headers, 'retry-after': String(secondsUntil(b.resetsAt, now)) },
              extensions: {
                budget: {
                  unit: 'api_calls',
                  month: b.month,
                  limit: b.limit,
                  used: b.used,
                  resetsAt: b.resetsAt.toISOString(),
                },
              },
              links: { budget: '/v1/budget' },
            },
          );
        }
        case 'throttled': {
          const t = await deps.throttle.admit(orgScopedKey(orgId, 'throttle'));
          headers = mergeRateLimitHeaders(headers, rateLimitHeaders(t, 'budget-throttle'));
          if (!t.allowed) {
            throw new AppError(
              'rate_limited',
              `The organization has used its monthly budget of ${b.limit} API calls for ${b.month}; until ` +
                `${b.resetsAt.toISOString()} it may make ${t.limit} requests per ${t.windowSeconds} seconds. ` +
                `Retry in ${t.resetSeconds} s, or ask an owner or admin to raise the budget with PUT /v1/budget.`,
              { headers, links: { budget: '/v1/budget' } },
            );
          }
          count();
          return headers;
        }
      }
    },
  };
}
