import type { Entry } from './catalogue.ts';
import type { Answer } from './dispatch.ts';
import { RPC } from './jsonrpc.ts';
import type { Exchange } from './upstream-http.ts';

/**
 * A result as the caller's era wants it: the upstream's own `_meta` is not relayed, and 2026-07-28 results
 * carry `resultType: "complete"` (ADR 0040).
 */
export const finish = (result: unknown, era: 'modern' | 'legacy'): unknown => {
  if (typeof result !== 'object' || result === null) return result;
  const { _meta: _, ...rest } = result as Record<string, unknown>;
  // A 2026 upstream's `input_required` (multi round-trip requests) reaches a 2026 caller as it is (ADR 0046).
  return era === 'modern'
    ? { ...rest, resultType: rest.resultType === 'input_required' ? 'input_required' : 'complete' }
    : rest;
};

/** What the caller is answered for one upstream exchange: its result, its own JSON-RPC error, or ours naming it. */
export const upstreamAnswer = (
  e: Entry,
  method: string,
  out: Exchange,
  era: 'modern' | 'legacy',
  limits: { readonly timeoutMs: number; readonly maxResultBytes: number },
): Answer => {
  const who = `server "${e.server.name}"`;
  const data = { server: e.server.name, serverId: e.server.id };
  switch (out.kind) {
    case 'result':
      return { result: finish(out.result, era) };
    case 'rpc_error':
      return { error: out.error };
    case 'status':
      return {
        error: { code: RPC.upstreamError, message: `The ${who} answered HTTP ${out.status}`, data },
      };
    case 'failed':
      if (out.why === 'timeout')
        return {
          error: {
            code: RPC.timeout,
            message: `The ${who} did not answer ${method} within ${limits.timeoutMs} ms`,
            data,
          },
        };
      if (out.why === 'too_large')
        return {
          error: {
            code: RPC.resultTooLarge,
            message: `The ${who} returned a result larger than ${limits.maxResultBytes} bytes`,
            data,
          },
        };
      return { error: { code: RPC.upstreamError, message: `The ${who} failed: ${out.detail}`, data } };
  }
};
