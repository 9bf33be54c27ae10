import { AppError } from '../../kernel/index.ts';
import type { LeaseLimiter } from '../../platform/ratelimit/index.ts';
import { rateLimitHeaders } from '../../platform/ratelimit/index.ts';
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
  /** Headers for the response (RateLimit-*); throws the 429 problem when the key is over its limit. */
  admit(principal: Principal): Promise<Record<string, string>>;
  served(principal: Principal, r: ServedRequest): void;
}

export function createApiKeyTraffic(deps: {
  limiter: LeaseLimiter | undefined;
  usage: UsageRecorder;
}): ApiKeyTraffic {
  return {
    async admit(principal) {
      if (principal.kind !== 'api_key' || deps.limiter === undefined) return {};
      const a = await deps.limiter.admit(principal.id);
      const headers = rateLimitHeaders(a, 'api-key');
      if (!a.allowed) {
        throw new AppError(
          'rate_limited',
          `This API key may make ${a.limit} requests per ${a.windowSeconds} seconds; retry in ${a.resetSeconds} s.`,
          { headers },
        );
      }
      return headers;
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
