import type { GatewayServer } from './catalogue.ts';
import { RPC, type RpcError } from './jsonrpc.ts';
import type { Exchange } from './upstream-http.ts';
import type { Upstreams } from './upstreams.ts';

/**
 * A circuit breaker per upstream server (issue 11 point 6: "fails fast after repeated failures and says so";
 * ADR 0048). After `failureThreshold` consecutive failures of a server within `windowMs` the breaker opens:
 * calls to that server are answered at once, without an upstream attempt, with an error naming the server and
 * when it will be tried again. After `coolDownMs` it is half-open: one trial call goes through; its success
 * closes the breaker, its failure opens it for another cool-down. Only the upstream being unreachable or broken
 * counts (connection refused or reset, a timeout, HTTP 5xx); a JSON-RPC error or an `isError` tool result is the
 * server working as designed and counts as a success.
 *
 * State is per process, like Envoy's outlier detection and agentgateway's: it protects this process's sockets,
 * timers and callers from waiting out a dead server, and each process learns of a dead server from its own
 * failures within `failureThreshold` calls. `trip` and `reset` are the seam for health checks (issue 12) to drive
 * it from outside the call path.
 */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  readonly failureThreshold: number;
  /** The failures must fall within this window (ms) of the first of them. Default 30 s. */
  readonly windowMs: number;
  /** How long an open breaker refuses calls before one trial call is let through (ms). Default 30 s. */
  readonly coolDownMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, windowMs: 30_000, coolDownMs: 30_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

export type Admission =
  | { readonly ok: true; readonly trial: boolean }
  | { readonly ok: false; readonly state: 'open' | 'half-open'; readonly retryAfterMs: number };

/** What one call told the breaker: the upstream worked, failed, or neither (the caller went away). */
export type CallOutcome = 'success' | 'failure' | 'neutral';

interface Circuit {
  failures: number;
  firstFailureAt: number;
  openedAt: number | undefined;
  /** When the half-open trial call started; a trial that never reports is given up after one cool-down. */
  trialAt: number | undefined;
}

export interface CircuitBreakers {
  admit(key: string): Admission;
  record(key: string, outcome: CallOutcome, trial: boolean): void;
  state(key: string): BreakerState;
  /** Opens the breaker now (a health check saw the server down; issue 12). */
  trip(key: string): void;
  /** Closes the breaker now (a health check saw the server up; issue 12). */
  reset(key: string): void;
}

export function createCircuitBreakers(
  options: BreakerOptions,
  now: () => number,
  /** Sees each breaker that opens or closes (operators are told; a refusal per call is not logged). */
  onChange?: (key: string, state: 'open' | 'closed') => void,
): CircuitBreakers {
  const circuits = new Map<string, Circuit>();
  const open = (c: Circuit, at: number, key: string) => {
    c.openedAt = at;
    c.trialAt = undefined;
    onChange?.(key, 'open');
  };
  const close = (key: string) => {
    const was = circuits.get(key);
    circuits.delete(key);
    if (was?.openedAt !== undefined) onChange?.(key, 'closed');
  };
  const stateOf = (c: Circuit | undefined, at: number): BreakerState =>
    c?.openedAt === undefined ? 'closed' : at - c.openedAt < options.coolDownMs ? 'open' : 'half-open';

  return {
    admit(key) {
      const c = circuits.get(key);
      const at = now();
      const state = stateOf(c, at);
      if (c === undefined || state === 'closed') return { ok: true, trial: false };
      if (state === 'open') {
        return { ok: false, state, retryAfterMs: (c.openedAt ?? at) + options.coolDownMs - at };
      }
      // Half-open: one trial at a time (a stuck trial is given up after a cool-down).
      if (c.trialAt !== undefined && at - c.trialAt < options.coolDownMs) {
        return { ok: false, state, retryAfterMs: c.trialAt + options.coolDownMs - at };
      }
      c.trialAt = at;
      return { ok: true, trial: true };
    },
    record(key, outcome, trial) {
      const at = now();
      const c = circuits.get(key);
      if (outcome === 'neutral') {
        if (trial && c !== undefined) c.trialAt = undefined;
        return;
      }
      if (outcome === 'success') {
        // Only the trial closes an open breaker: a slow call admitted before it opened proves little.
        if (c !== undefined && (c.openedAt === undefined || trial)) close(key);
        return;
      }
      if (c === undefined) {
        const fresh: Circuit = { failures: 1, firstFailureAt: at, openedAt: undefined, trialAt: undefined };
        circuits.set(key, fresh);
        if (options.failureThreshold <= 1) open(fresh, at, key);
        return;
      }
      if (c.openedAt !== undefined) {
        if (trial) open(c, at, key);
        return;
      }
      if (at - c.firstFailureAt > options.windowMs) {
        c.failures = 1;
        c.firstFailureAt = at;
      } else {
        c.failures += 1;
      }
      if (c.failures >= options.failureThreshold) open(c, at, key);
    },
    state: (key) => stateOf(circuits.get(key), now()),
    trip(key) {
      const at = now();
      const c = circuits.get(key) ?? {
        failures: 0,
        firstFailureAt: at,
        openedAt: undefined,
        trialAt: undefined,
      };
      circuits.set(key, c);
      open(c, at, key);
    },
    reset(key) {
      close(key);
    },
  };
}

/**
 * Whether an exchange shows the upstream unreachable or broken (what the breaker counts): connection failures
 * and resets, timeouts, HTTP 5xx. An HTTP 4xx (a refused credential, a forgotten session) is the server
 * answering, and a JSON-RPC error or any result is the server working.
 */
export function outcomeOf(out: Exchange): CallOutcome {
  switch (out.kind) {
    case 'result':
    case 'rpc_error':
      return 'success';
    case 'status':
      return out.status >= 500 ? 'failure' : 'success';
    case 'failed': {
      if (out.why === 'cancelled') return 'neutral';
      if (out.why === 'too_large') return 'success';
      if (out.why === 'timeout') return 'failure';
      // upstreams.ts reports an HTTP status without a JSON-RPC answer as "HTTP <status> ...".
      const status = /^HTTP (\d{3})\b/.exec(out.detail)?.[1];
      return status !== undefined && Number(status) < 500 ? 'success' : 'failure';
    }
  }
}

/** The caller's error for a call the breaker refused: names the server and when it will be tried again. */
export function breakerOpenError(server: GatewayServer, a: Extract<Admission, { ok: false }>): RpcError {
  const seconds = Math.max(1, Math.ceil(a.retryAfterMs / 1000));
  return {
    code: RPC.circuitOpen,
    message:
      a.state === 'open'
        ? `The server "${server.name}" failed repeatedly; the gateway is not calling it for now and will try it again in ${seconds} s.`
        : `The server "${server.name}" failed repeatedly; a trial call is under way, try again in ${seconds} s.`,
    data: { server: server.name, serverId: server.id, state: a.state, retryAfterMs: a.retryAfterMs },
  };
}

/**
 * Upstreams behind a breaker per server: an open breaker answers with its error (relayed to the caller as a
 * JSON-RPC error, recorded as `upstream_error`) and no upstream attempt is made.
 */
export function withCircuitBreakers(upstreams: Upstreams, breakers: CircuitBreakers): Upstreams {
  return {
    async call(orgId, server, method, params, ...rest) {
      const a = breakers.admit(server.id);
      if (!a.ok) return { kind: 'rpc_error', error: breakerOpenError(server, a), bytes: 0 };
      let out: Exchange;
      try {
        // Everything after the request (notification relay, cancel, input requests) passes through unchanged.
        out = await upstreams.call(orgId, server, method, params, ...rest);
      } catch (e) {
        breakers.record(server.id, 'neutral', a.trial);
        throw e;
      }
      breakers.record(server.id, outcomeOf(out), a.trial);
      return out;
    },
  };
}
