/**
 * Issue 8, point 18: what an upstream does to a discovery is reported as what it is. A server that closes the
 * connection in the middle of its answer is `connection_closed` (it used to wait for the connect timeout and be
 * reported as one), and a 429 is `upstream_rate_limited` with the server's Retry-After (it used to fail the job
 * at once as a protocol error). Against real servers on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGate, startGate } from '../../../../test/mcp-servers/gate.ts';
import { discoverServer } from './discover.ts';
import type { DiscoveryResult, DiscoveryTransport } from './types.ts';

const TRANSPORTS = ['streamable-http', 'sse'] as const;

function failureOf(result: DiscoveryResult) {
  if (result.ok) throw new Error('expected discovery to fail');
  return result.failure;
}

// A generous connect budget: a run that waited for it would be reported as a timeout, not what happened.
const discover = (url: string, transport: DiscoveryTransport) =>
  discoverServer({ url, transport, headers: {}, fetch, timeouts: { connectMs: 10_000, totalMs: 20_000 } });

let gate: RunningGate;
beforeAll(async () => {
  gate = await startGate();
});
afterAll(async () => {
  await gate.close();
});

describe('an upstream that cuts its answer off', () => {
  it.each(TRANSPORTS)(
    'closing the connection mid-stream is connection_closed, not a connect timeout (%s)',
    async (t) => {
      gate.answer('close-mid-stream');
      const failure = failureOf(await discover(gate.url, t));
      expect(failure).toMatchObject({ code: 'connection_closed', retryable: true, stage: 'connect' });
      expect(failure.message).toMatch(/closed the connection/);
      expect(failure.guidance).toMatch(/proxy|load balancer/);
    },
  );

  it('closing the connection before any answer is connection_closed too', async () => {
    gate.answer('reset');
    const failure = failureOf(await discover(gate.url, 'streamable-http'));
    expect(failure).toMatchObject({ code: 'connection_closed', retryable: true });
  });
});

describe('an upstream that rate-limits discovery', () => {
  it.each(TRANSPORTS)('a 429 is upstream_rate_limited and carries its Retry-After (%s)', async (t) => {
    gate.answer({ status: 429, headers: { 'retry-after': '7', 'content-type': 'application/json' } });
    const failure = failureOf(await discover(gate.url, t));
    expect(failure).toMatchObject({ code: 'upstream_rate_limited', retryable: true, retryAfterSeconds: 7 });
    expect(failure.message).toMatch(/429.*retry after 7 s/);
  });

  it('a 429 stops the run: the server is not asked again (no fallback to an older revision) before Retry-After', async () => {
    gate.answer((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '5' } } : 'pass'));
    const before = gate.log.length;
    const failure = failureOf(await discover(gate.url, 'streamable-http'));
    expect(failure).toMatchObject({ code: 'upstream_rate_limited', retryAfterSeconds: 5 });
    expect(gate.log.slice(before).map((e) => e.answer)).toEqual([429]);
  });

  it('a 429 with a Retry-After date is read as the seconds until then', async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000).toUTCString();
    gate.answer({ status: 429, headers: { 'retry-after': at } });
    const failure = failureOf(await discover(gate.url, 'streamable-http'));
    expect(failure.code).toBe('upstream_rate_limited');
    expect(failure.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(failure.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  it('a 429 without Retry-After is still retryable, with no wait of its own', async () => {
    gate.answer({ status: 429 });
    const failure = failureOf(await discover(gate.url, 'streamable-http'));
    expect(failure).toMatchObject({ code: 'upstream_rate_limited', retryable: true });
    expect(failure.retryAfterSeconds).toBeUndefined();
  });
});
