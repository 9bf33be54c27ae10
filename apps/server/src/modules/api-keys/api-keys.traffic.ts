import type { RateLimitState } from '../../kernel/index.ts';
import { AppError } from '../../kernel/index.ts';
import type { LeaseLimiter } from '../../platform/ratelimit/index.ts';
import { rateLimitState } from '../../platform/ratelimit/index.ts';
import type { Principal } from '../identity/index.ts';
import type { UsageRecorder } from './api-keys.usage.ts';

export interface ServedRequest {
  /** The route pattern (`/v1/servers/:id`), or undefined when no route matched. */
  route: string | undefined;
  method: string;
  status: number;
  requestId: string;
  at: Date;
}

/**
 * What the HTTP adapter does with an API-key caller around each request: admit it under the key's rate limit
 * (shared by every process; see platform/ratelimit) before the route runs, and record the use after the
 * response. Other kinds of callers pass through.
 */
export interface ApiKeyTraffic {
  /** The key's limit as the response reports it (RateLimit fields); throws the 429 when the key is over it. */
  admit(principal: Principal): Promise<readonly RateLimitState[]>;
  served(principal: Principal, r: ServedRequest): void;
}

/** Distinct per-key limits this process keeps a limiter for; beyond it the oldest is dropped (its slices lost). */
const MAX_LIMITERS = 1000;

export function createApiKeyTraffic(deps: {
  /** The deployment's limit (SPRINTCONNECT_API_KEY_RATE_LIMIT): for keys without their own. */
  defaultLimit: number;
  /** A limiter for `limit` requests per minute, per key, shared by every process; undefined: no limits. */
  limiterFor: ((limit: number) => LeaseLimiter) | undefined;
  usage: UsageRecorder;
}): ApiKeyTraffic {
  // One lease limiter per distinct limit (ADR 0037). They count in one store under one prefix, so a key whose
  // limit changes keeps the requests it already made in the window; only this process's unspent slice is lost.
  const limiters = new Map<number, LeaseLimiter>();
  function limiter(limit: number): LeaseLimiter | undefined {
    if (deps.limiterFor === undefined) return undefined;
    let l = limiters.get(limit);
    if (l === undefined) {
      if (limiters.size >= MAX_LIMITERS) limiters.delete(limiters.keys().next().value as number);
      l = deps.limiterFor(limit);
      limiters.set(limit, l);
    }
    return l;
  }
  return {
    async admit(principal) {
      if (principal.kind !== 'api_key') return [];
      const l = limiter(principal.rateLimit ?? deps.defaultLimit);
      if (l === undefined) return [];
      const a = await l.admit(principal.id);
      const limits = [rateLimitState(a, 'api-key')];
      if (!a.allowed) {
        throw new AppError(
          'rate_limited',
          `This API key may make ${a.limit} requests per ${a.windowSeconds} seconds; retry in ${a.resetSeconds} s.`,
          { rateLimits: limits },
        );
      }
      return limits;
    },
    served(principal, r) {
      if (principal.kind !== 'api_key') return;
      deps.usage.record({
        orgId: principal.orgId,
        keyId: principal.id,
        method: r.method,
        route: r.route ?? '(no route)',
        status: r.status,
        requestId: r.requestId,
        at: r.at,
      });
    },
  };
}
