import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecondApp, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';
import { EgressError } from '../../platform/egress/index.ts';

/**
 * The cross-process claims of org egress rules (ADR 0014): a rule change reaches a real second OS process
 * (`sprintconnect start` on the same database) within a second, and the outbound rate limit is one counter
 * for all processes.
 */
const METRICS_TOKEN = 'metrics-token-for-tests-0123';

describe('a rule change in one process', () => {
  let t: TestApp;
  let other: ServerProcess;
  beforeAll(async () => {
    t = await startTestApp();
    other = await startServerProcess(t.database.adminUrl, { SPRINTCONNECT_METRICS_TOKEN: METRICS_TOKEN });
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
    await t?.stop();
  });

  it('is applied by the other OS process within one second (its cached rules are dropped over NOTIFY)', async () => {
    const o = await t.newOrg('replicated');
    const checkThere = async () => {
      const res = await fetch(`${other.url}/v1/egress-policy/check`, {
        method: 'POST',
        headers: { ...o.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'http://8.8.8.8/' }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { allowed: boolean; rule: string };
    };
    expect((await checkThere()).allowed).toBe(true);
    // Give its LISTEN connection a moment (while it is down nothing is cached), then warm the cache.
    await new Promise((r) => setTimeout(r, 300));
    expect((await checkThere()).allowed).toBe(true);

    // Written behind the API's back (no NOTIFY): the other process keeps its cached rules, so it caches.
    await t.database.adminDb
      .insertInto('org_egress_policies')
      .values({
        org_id: o.orgId,
        allow_entries: [],
        deny_entries: ['8.8.8.8/32'],
        denied_ports: [],
        rate_limit_per_minute: null,
        updated_by: 'test',
      })
      .execute();
    expect((await checkThere()).allowed).toBe(true);

    const put = await t.app.inject({
      method: 'PUT',
      url: '/v1/egress-policy',
      headers: o.auth,
      payload: { deny: ['8.8.8.0/24'] },
    });
    expect(put.statusCode).toBe(200);
    const t0 = performance.now();
    let verdict = await checkThere();
    while (verdict.allowed && performance.now() - t0 < 1000) {
      await new Promise((r) => setTimeout(r, 20));
      verdict = await checkThere();
    }
    expect(verdict).toMatchObject({ allowed: false, rule: 'denylist:8.8.8.0/24' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('/metrics of a process with SPRINTCONNECT_METRICS_TOKEN needs that token, even from loopback', async () => {
    expect((await fetch(`${other.url}/metrics`)).status).toBe(403);
    const wrong = await fetch(`${other.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(403);
    const res = await fetch(`${other.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('# TYPE sprintconnect_egress_requests_total counter');
  });
});

describe('the outbound rate limit', () => {
  let t: TestApp;
  let second: Awaited<ReturnType<typeof startSecondApp>>;
  let close: () => Promise<void>;
  let origin = '';
  beforeAll(async () => {
    const env = { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' };
    t = await startTestApp({ env });
    second = await startSecondApp(t, { env });
    const server = createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      server.closeAllConnections();
      server.close();
    };
  }, 60_000);
  afterAll(async () => {
    await close?.();
    await second?.stop();
    await t?.stop();
  });

  it('is shared by every process: the org gets its limit once in total', async () => {
    const o = await t.newOrg('shared-limit');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/v1/egress-policy',
      headers: o.auth,
      payload: { rateLimitPerMinute: 5 },
    });
    expect(put.statusCode).toBe(200);
    const here = t.sc.egressPolicy.orgEgress.forOrg(o.orgId);
    const there = second.sc.egressPolicy.orgEgress.forOrg(o.orgId);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      for (const egress of [here, there]) {
        try {
          await (await egress.fetch(`${origin}/`)).text();
          outcomes.push('ok');
        } catch (e) {
          outcomes.push(e instanceof EgressError ? e.code : String(e));
        }
      }
    }
    expect(outcomes.filter((x) => x === 'ok')).toHaveLength(5);
    expect(outcomes.filter((x) => x === 'egress_rate_limited')).toHaveLength(5);
  });
});
