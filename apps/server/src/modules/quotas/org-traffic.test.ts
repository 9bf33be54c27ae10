import { describe, expect, it } from 'vitest';
import { errorHeaders, rateLimitFields } from '../../http/problem-headers.ts';
import { fixedClock, isAppError } from '../../kernel/index.ts';
import { type CounterStore, createLeaseLimiter } from '../../platform/ratelimit/index.ts';
import type { Principal } from '../identity/index.ts';
import type { BudgetMode } from './budget-rules.ts';
import { createOrgTraffic } from './org-traffic.ts';
import type { BudgetState, UsageMeter } from './usage-meter.ts';

/** A one-process counter store (the Postgres one is exercised by the int tests). */
function memoryStore(): CounterStore {
  const totals = new Map<string, number>();
  return {
    async add(key, points) {
      const total = (totals.get(key) ?? 0) + points;
      totals.set(key, total);
      return { total, msBeforeReset: 60_000 };
    },
  };
}

/** The meter's enforcement view without a database: a budget and a running count. */
function meter(limit: number, mode: BudgetMode) {
  let used = 0;
  const m: UsageMeter = {
    record: () => {
      used++;
    },
    state: async (): Promise<BudgetState> => ({
      month: '2026-11',
      resetsAt: new Date('2026-12-01T00:00:00Z'),
      limit,
      mode,
      overridden: true,
      used,
    }),
    invalidate: () => undefined,
    flush: async () => undefined,
    stop: async () => undefined,
  };
  return { m, used: () => used };
}

const principal = {
  kind: 'user',
  id: 'u',
  orgId: '01a2139c-b737-7030-bc3e-67779a29c396',
  name: 'u',
  scopes: [],
  roles: [],
} as unknown as Principal;
const me = { method: 'GET', route: '/v1/me' };

function setup(opts: { orgLimit?: number; throttle?: number; budget: number; mode: BudgetMode }) {
  const clock = fixedClock('2026-11-30T23:00:00Z');
  const meterState = meter(opts.budget, opts.mode);
  const traffic = createOrgTraffic({
    limiter: createLeaseLimiter({ limit: opts.orgLimit ?? 1000, windowSeconds: 60, store: memoryStore() }),
    throttle: createLeaseLimiter({ limit: opts.throttle ?? 2, windowSeconds: 60, store: memoryStore() }),
    meter: meterState.m,
    clock,
  });
  return { traffic, used: meterState.used };
}

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
  }
  throw new Error('expected a refusal');
}

describe('org traffic', () => {
  it('counts each admitted request once and reports the org policy after the upstream ones', async () => {
    const { traffic, used } = setup({ orgLimit: 10, budget: 100, mode: 'block' });
    const h = rateLimitFields(
      await traffic.admit(principal, me, [
        { policy: 'api-key', allowed: true, limit: 5, windowSeconds: 60, remaining: 4, resetSeconds: 60 },
      ]),
    );
    expect(h['ratelimit-policy']).toBe('"api-key";q=5;w=60, "org";q=10;w=60');
    expect(h.ratelimit).toMatch(/^"api-key";r=4;t=60, "org";r=\d+;t=60$/);
    expect(used()).toBe(1);
  });

  it('refuses past the org limit with rate_limited and Retry-After, without counting the refusal', async () => {
    const { traffic, used } = setup({ orgLimit: 2, budget: 100, mode: 'block' });
    await traffic.admit(principal, me);
    await traffic.admit(principal, me);
    const e = await refusal(traffic.admit(principal, me));
    expect(e.code).toBe('rate_limited');
    expect(errorHeaders(e)['retry-after']).toBe('60');
    expect(used()).toBe(2);
  });

  it('in block mode refuses with budget_exhausted until the month ends, but never the budget routes', async () => {
    const { traffic, used } = setup({ budget: 1, mode: 'block' });
    await traffic.admit(principal, me);
    const e = await refusal(traffic.admit(principal, me));
    expect(e.code).toBe('budget_exhausted');
    expect(errorHeaders(e)['retry-after']).toBe(String(3600));
    expect(e.extensions).toMatchObject({ budget: { limit: 1, used: 1, month: '2026-11' } });
    await traffic.admit(principal, { method: 'PUT', route: '/v1/budget' });
    expect(used()).toBe(2);
  });

  it('in throttle mode admits the throttle rate once the budget is used up, then refuses', async () => {
    const { traffic } = setup({ budget: 1, mode: 'throttle', throttle: 2 });
    const first = rateLimitFields(await traffic.admit(principal, me));
    expect(first['ratelimit-policy']).not.toMatch(/budget-throttle/);
    for (let i = 0; i < 2; i++) {
      const h = rateLimitFields(await traffic.admit(principal, me));
      expect(h['ratelimit-policy']).toMatch(/"budget-throttle";q=2;w=60$/);
    }
    const e = await refusal(traffic.admit(principal, me));
    expect(e.code).toBe('rate_limited');
    expect(errorHeaders(e).ratelimit).toMatch(/"budget-throttle";r=0;t=60$/);
  });
});
