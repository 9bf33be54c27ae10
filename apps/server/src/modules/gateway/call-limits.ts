import type { RateLimitState } from '../../kernel/index.ts';
import { AppError } from '../../kernel/index.ts';
import type { Principal } from '../identity/index.ts';
import { RPC, type RpcError } from './jsonrpc.ts';

/**
 * The limits each capability use through the gateway counts against (issue 11 point 8): the caller's own (an API
 * key's rate limit, ADR 0037) and then its org's (rate limit and monthly budget, ADR 0016/0025). These are the
 * very admission steps the HTTP adapter runs for every /v1 request (`admitCaller`, `admitOrg`), called here per
 * `tools/call`, `resources/read` and `prompts/get` rather than per HTTP request: `/mcp` is a public route the
 * adapter does not admit, and one MCP message is one call. No second limiter: the same counters, shared by every
 * process, so a key's /v1 requests and its tool calls draw on one allowance.
 */
export type Admission = (
  principal: Principal,
  request: { readonly method: string; readonly route: string | undefined },
  upstream: readonly RateLimitState[],
) => Promise<readonly RateLimitState[]>;

export type Admitted =
  | { readonly ok: true; readonly limits: readonly RateLimitState[] }
  | { readonly ok: false; readonly error: RpcError; readonly limits: readonly RateLimitState[] };

/** The route name the org's admission sees for a gateway call (its budget exemptions are /v1 routes only). */
const CALL_ROUTE = '/mcp';

export function createCallAdmission(admissions: readonly Admission[]) {
  return async function admit(principal: Principal): Promise<Admitted> {
    let limits: readonly RateLimitState[] = [];
    try {
      for (const step of admissions)
        limits = await step(principal, { method: 'POST', route: CALL_ROUTE }, limits);
      return { ok: true, limits };
    } catch (e) {
      if (!(e instanceof AppError) || (e.code !== 'rate_limited' && e.code !== 'budget_exhausted')) throw e;
      const held = e.rateLimits ?? limits;
      // The wait is the longest of the refused limits' resets, or the error's own (a budget: the month's end),
      // as Retry-After would say over HTTP.
      const waits = [
        ...held.filter((l) => !l.allowed).map((l) => l.resetSeconds),
        ...(e.retryAfterSeconds === undefined ? [] : [e.retryAfterSeconds]),
      ];
      const retryAfterSeconds = waits.length > 0 ? Math.max(...waits) : 1;
      return {
        ok: false,
        limits: held,
        error: {
          code: RPC.rateLimited,
          message: e.message.includes(`${retryAfterSeconds} s`)
            ? e.message
            : `${e.message} Retry in ${retryAfterSeconds} s.`,
          data: {
            code: e.code,
            retryAfterSeconds,
            limits: held.map((l) => ({
              policy: l.policy,
              limit: l.limit,
              windowSeconds: l.windowSeconds,
              remaining: l.remaining,
              resetSeconds: l.resetSeconds,
            })),
          },
        },
      };
    }
  };
}
