import { describe, expect, it } from 'vitest';
import type { GatewayServer } from './catalogue.ts';
import { createCircuitBreakers, outcomeOf, withCircuitBreakers } from './circuit-breaker.ts';
import { RPC } from './jsonrpc.ts';
import type { Exchange } from './upstream-http.ts';
import type { Upstreams } from './upstreams.ts';

const OPTS = { failureThreshold: 3, windowMs: 10_000, coolDownMs: 5_000 };

function fakeClock() {
  let t = 1_000_000;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

describe('circuit breaker (issue 11 point 6)', () => {
  it('opens after the threshold of consecutive failures and refuses with the time left in the cool-down', () => {
    const clock = fakeClock();
    const b = createCircuitBreakers(OPTS, clock.now);
    for (let i = 0; i < 2; i++) b.record('s', 'failure', false);
    expect(b.admit('s')).toEqual({ ok: true, trial: false });
    b.record('s', 'failure', false);
    expect(b.state('s')).toBe('open');
    clock.advance(1_500);
    expect(b.admit('s')).toEqual({ ok: false, state: 'open', retryAfterMs: 3_500 });
  });

  it('a success in between resets the count of consecutive failures', () => {
    const b = createCircuitBreakers(OPTS, fakeClock().now);
    b.record('s', 'failure', false);
    b.record('s', 'failure', false);
    b.record('s', 'success', false);
    b.record('s', 'failure', false);
    b.record('s', 'failure', false);
    expect(b.state('s')).toBe('closed');
  });

  it('failures spread over more than the window do not open it', () => {
    const clock = fakeClock();
    const b = createCircuitBreakers(OPTS, clock.now);
    b.record('s', 'failure', false);
    b.record('s', 'failure', false);
    clock.advance(10_001);
    b.record('s', 'failure', false);
    expect(b.state('s')).toBe('closed');
    b.record('s', 'failure', false);
    b.record('s', 'failure', false);
    expect(b.state('s')).toBe('open');
  });

  it('after the cool-down one trial call goes through, others wait; its success closes the breaker', () => {
    const clock = fakeClock();
    const b = createCircuitBreakers(OPTS, clock.now);
    for (let i = 0; i < 3; i++) b.record('s', 'failure', false);
    clock.advance(5_000);
    expect(b.state('s')).toBe('half-open');
    expect(b.admit('s')).toEqual({ ok: true, trial: true });
    expect(b.admit('s')).toMatchObject({ ok: false, state: 'half-open' });
    b.record('s', 'success', true);
    expect(b.state('s')).toBe('closed');
    expect(b.admit('s')).toEqual({ ok: true, trial: false });
  });

  it('a failed trial opens the breaker for another full cool-down', () => {
    const clock = fakeClock();
    const b = createCircuitBreakers(OPTS, clock.now);
    for (let i = 0; i < 3; i++) b.record('s', 'failure', false);
    clock.advance(6_000);
    expect(b.admit('s')).toEqual({ ok: true, trial: true });
    b.record('s', 'failure', true);
    expect(b.admit('s')).toEqual({ ok: false, state: 'open', retryAfterMs: 5_000 });
  });

  it('a late success of a call admitted before it opened does not close an open breaker', () => {
    const b = createCircuitBreakers(OPTS, fakeClock().now);
    for (let i = 0; i < 3; i++) b.record('s', 'failure', false);
    b.record('s', 'success', false);
    expect(b.state('s')).toBe('open');
  });

  it('breakers are per server, and trip/reset drive them from outside (the health seam)', () => {
    const b = createCircuitBreakers(OPTS, fakeClock().now);
    for (let i = 0; i < 3; i++) b.record('a', 'failure', false);
    expect(b.state('a')).toBe('open');
    expect(b.state('b')).toBe('closed');
    b.trip('b');
    expect(b.state('b')).toBe('open');
    b.reset('a');
    expect(b.state('a')).toBe('closed');
  });

  it('tells who listens when a breaker opens and when it closes again, once each', () => {
    const clock = fakeClock();
    const seen: string[] = [];
    const b = createCircuitBreakers(OPTS, clock.now, (k, state) => seen.push(`${k}:${state}`));
    for (let i = 0; i < 4; i++) b.record('s', 'failure', false);
    b.record('s', 'success', false);
    clock.advance(5_000);
    expect(b.admit('s')).toEqual({ ok: true, trial: true });
    b.record('s', 'success', true);
    b.record('s', 'success', false);
    expect(seen).toEqual(['s:open', 's:closed']);
  });

  it('counts connection failures, timeouts and 5xx; not JSON-RPC errors, results, 4xx or a caller gone', () => {
    const failed = (why: 'timeout' | 'transport' | 'cancelled' | 'too_large', detail = 'x'): Exchange => ({
      kind: 'failed',
      why,
      detail,
    });
    expect(outcomeOf(failed('transport', 'ECONNREFUSED'))).toBe('failure');
    expect(outcomeOf(failed('transport', 'HTTP 503 without a JSON-RPC response'))).toBe('failure');
    expect(outcomeOf(failed('timeout'))).toBe('failure');
    expect(outcomeOf({ kind: 'status', status: 502 })).toBe('failure');
    expect(outcomeOf(failed('transport', 'HTTP 401 without a JSON-RPC response'))).toBe('success');
    expect(outcomeOf({ kind: 'rpc_error', error: { code: -32602, message: 'bad' }, bytes: 10 })).toBe(
      'success',
    );
    expect(outcomeOf({ kind: 'result', result: { isError: true, content: [] }, bytes: 10 })).toBe('success');
    expect(outcomeOf(failed('cancelled'))).toBe('neutral');
  });

  it('an open breaker answers without calling the upstream, naming the server and the retry time', async () => {
    const clock = fakeClock();
    let calls = 0;
    const inner: Upstreams = {
      call: async () => {
        calls += 1;
        return { kind: 'failed', why: 'transport', detail: 'ECONNREFUSED' };
      },
    };
    const up = withCircuitBreakers(inner, createCircuitBreakers(OPTS, clock.now));
    const server = { id: 'srv-1', name: 'files' } as GatewayServer;
    for (let i = 0; i < 3; i++) await up.call('org', server, 'tools/call', {});
    const out = await up.call('org', server, 'tools/call', {});
    expect(calls).toBe(3);
    expect(out).toMatchObject({
      kind: 'rpc_error',
      error: {
        code: RPC.circuitOpen,
        message: expect.stringContaining('"files"'),
        data: { serverId: 'srv-1', state: 'open', retryAfterMs: 5_000 },
      },
    });
  });
});
