/**
 * Each way a registered URL can fail, against a real peer on 127.0.0.1 (or a real DNS miss), must come
 * back as the right failure code, promptly, with nothing left open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_EGRESS_PORTS } from '../../../../test/constants.ts';
import { type RunningHangingServer, startHanging } from '../../../../test/mcp-servers/hanging.ts';
import { startHtml } from '../../../../test/mcp-servers/html.ts';
import { closedPortUrl, type RunningServer } from '../../../../test/mcp-servers/loopback.ts';
import { startStateless2026 } from '../../../../test/mcp-servers/stateless-2026.ts';
import { startStatus } from '../../../../test/mcp-servers/status.ts';
import { createEgress } from '../../../platform/egress/index.ts';
import { discoverServer } from './discover.ts';
import type { DiscoverInput, DiscoveryResult, DiscoveryTransport } from './types.ts';

const TRANSPORTS = ['streamable-http', 'sse'] as const;

function failureOf(result: DiscoveryResult) {
  if (result.ok) throw new Error('expected discovery to fail');
  return result.failure;
}

function discover(url: string, transport: DiscoveryTransport, extra: Partial<DiscoverInput> = {}) {
  return discoverServer({ url, transport, headers: {}, fetch, ...extra });
}

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work;
  return [value, performance.now() - start];
}

/** Waits until `check` holds (the peer sees sockets close shortly after the client lets go). */
async function eventually(check: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('discovery failures', () => {
  let hanging: RunningHangingServer;
  let html: RunningServer;
  let unauthorized: RunningServer;
  let forbidden: RunningServer;
  let notFound: RunningServer;

  beforeAll(async () => {
    [hanging, html, unauthorized, forbidden, notFound] = await Promise.all([
      startHanging(),
      startHtml(),
      startStatus({ status: 401 }),
      startStatus({ status: 403 }),
      startStatus({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([hanging, html, unauthorized, forbidden, notFound].map((s) => s?.close()));
  });

  it.each(TRANSPORTS)(
    'a server that never answers fails with timeout within the connect budget (%s)',
    async (t) => {
      const [result, ms] = await timed(discover(hanging.url, t, { timeouts: { connectMs: 300 } }));
      const failure = failureOf(result);
      expect(failure).toMatchObject({ code: 'timeout', stage: 'connect', retryable: true });
      expect(ms).toBeGreaterThanOrEqual(280);
      expect(ms).toBeLessThan(2000);
      expect(await eventually(() => hanging.open() === 0)).toBe(true);
    },
  );

  it('a run longer than totalMs fails with timeout although no single stage ran out', async () => {
    const [result, ms] = await timed(
      discover(hanging.url, 'streamable-http', { timeouts: { connectMs: 10_000, totalMs: 300 } }),
    );
    expect(failureOf(result).code).toBe('timeout');
    expect(failureOf(result).message).toContain('300 ms');
    expect(ms).toBeLessThan(2000);
  });

  it('a list that never answers fails with timeout in that list stage', async () => {
    const server = await startStateless2026();
    // Answer everything except tools/list, which hangs until the discovery gives up (its signal aborts).
    const stallTools: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"tools/list"')) {
        return new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        );
      }
      return fetch(input, init);
    };
    try {
      const [result, ms] = await timed(
        discover(server.url, 'streamable-http', { fetch: stallTools, timeouts: { listMs: 300 } }),
      );
      expect(failureOf(result)).toMatchObject({ code: 'timeout', stage: 'tools' });
      expect(ms).toBeLessThan(2000);
    } finally {
      await server.close();
    }
  });

  it.each(TRANSPORTS)('a URL that answers HTML fails with not_mcp (%s)', async (t) => {
    const failure = failureOf(await discover(html.url, t));
    expect(failure).toMatchObject({ code: 'not_mcp', retryable: false });
    expect(failure.guidance).toContain('/mcp');
  });

  it.each(TRANSPORTS)('a closed port fails with connection_refused (%s)', async (t) => {
    const failure = failureOf(await discover(await closedPortUrl(), t));
    expect(failure).toMatchObject({ code: 'connection_refused', retryable: true });
  });

  it.each(TRANSPORTS)('a host that does not resolve fails with dns_failed (%s)', async (t) => {
    const failure = failureOf(await discover('http://no-such-host.invalid/mcp', t));
    expect(failure.code).toBe('dns_failed');
    expect(failure.guidance).toContain('no-such-host.invalid');
  });

  it.each(TRANSPORTS)('a server answering 401 fails with unauthorized (%s)', async (t) => {
    expect(failureOf(await discover(unauthorized.url, t))).toMatchObject({
      code: 'unauthorized',
      retryable: false,
    });
  });

  it.each(TRANSPORTS)('a server answering 403 fails with forbidden (%s)', async (t) => {
    expect(failureOf(await discover(forbidden.url, t)).code).toBe('forbidden');
  });

  it.each(TRANSPORTS)('a path with no MCP endpoint (404) fails with not_mcp (%s)', async (t) => {
    expect(failureOf(await discover(notFound.url, t)).code).toBe('not_mcp');
  });

  it('a loopback URL refused by the egress policy fails with egress_blocked and keeps its detail', async () => {
    const egress = createEgress({ allow: [], ports: TEST_EGRESS_PORTS });
    try {
      const failure = failureOf(await discover(html.url, 'streamable-http', { fetch: egress.fetch }));
      expect(failure).toMatchObject({ code: 'egress_blocked', retryable: false });
      expect(failure.message).toMatch(/egress_\w+: .*127\.0\.0\.1/);
      expect(failure.guidance).toContain('SPRINTCONNECT_EGRESS_ALLOW');
    } finally {
      await egress.close();
    }
  });

  it('a caller abort ends discovery promptly as a failure, without throwing', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('worker shutting down')), 100);
    const [result, ms] = await timed(discover(hanging.url, 'sse', { signal: controller.signal }));
    expect(failureOf(result).message).toContain('worker shutting down');
    expect(ms).toBeLessThan(2000);
  });
});
