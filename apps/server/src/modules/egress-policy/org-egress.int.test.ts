import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { startMutable } from '../../../test/mcp-servers/mutable.ts';
import { EgressError } from '../../platform/egress/index.ts';

/**
 * Org egress rules on real sockets (story 8.3): small HTTP servers on 127.0.0.1 and 127.0.0.2, which the
 * platform policy admits (SPRINTCONNECT_EGRESS_ALLOW=127.0.0.0/8); each org narrows that with its own rules.
 */
interface Peer {
  readonly origin: string;
  readonly port: number;
  hits: number;
  close(): Promise<void>;
}

const peers: Peer[] = [];
async function peer(host: string, handler?: (origin: string) => RequestListener): Promise<Peer> {
  const state: Peer = { origin: '', port: 0, hits: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    state.hits++;
    if (handler !== undefined) handler(state.origin)(req, res);
    else res.end('hello');
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  Object.assign(state, {
    origin: `http://${host}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  });
  peers.push(state);
  return state;
}

const redirectTo = (location: string) => (): RequestListener => (_req, res) => {
  res.writeHead(302, { location });
  res.end();
};

let t: TestApp;
let a: Peer;
let b: Peer;
beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.0/8' },
    discoveryTimeouts: { connectMs: 1500, listMs: 1500, totalMs: 5000 },
  });
  a = await peer('127.0.0.1');
  b = await peer('127.0.0.2');
});
afterAll(async () => {
  await t?.stop();
  await Promise.all(peers.map((p) => p.close()));
});

async function org(slug: string, policy: Record<string, unknown>) {
  const o = await t.newOrg(slug);
  const res = await t.app.inject({
    method: 'PUT',
    url: '/v1/egress-policy',
    headers: o.auth,
    payload: policy,
  });
  expect(res.statusCode).toBe(200);
  return { ...o, egress: t.sc.egressPolicy.orgEgress.forOrg(o.orgId) };
}

/** The EgressError a refused fetch throws (a refusal is data: code, detail, rule). */
async function refusal(p: Promise<unknown>): Promise<EgressError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EgressError);
  return err as EgressError;
}

describe('org egress rules on real sockets', () => {
  it('a non-empty allowlist narrows: only its destinations are reached', async () => {
    const o = await org('allow-narrows', { allow: ['localhost'] });
    expect(await (await o.egress.fetch(`http://localhost:${a.port}/`)).text()).toBe('hello');
    const before = b.hits;
    const e = await refusal(o.egress.fetch(`${b.origin}/`));
    expect(e).toMatchObject({ code: 'egress_denied_by_org_policy', rule: 'allowlist' });
    expect(e.detail).toBe('127.0.0.2 is not on the allowlist of the org egress policy');
    expect(b.hits).toBe(before);
  });

  it('the denylist wins over the allowlist', async () => {
    const o = await org('deny-wins', { allow: ['localhost', '127.0.0.0/8'], deny: ['localhost'] });
    const e = await refusal(o.egress.fetch(`http://localhost:${a.port}/`));
    expect(e).toMatchObject({ code: 'egress_denied_by_org_policy', rule: 'denylist:localhost' });
    expect(e.detail).toContain('denylist entry localhost');
    expect((await o.egress.fetch(`${b.origin}/`)).status).toBe(200);
  });

  it('a host name that resolves into a denied block is refused at connect time, and nothing is sent', async () => {
    const o = await org('resolves-denied', { deny: ['127.0.0.1/32'] });
    const before = a.hits;
    const e = await refusal(o.egress.fetch(`http://localhost:${a.port}/`));
    expect(e).toMatchObject({ code: 'egress_denied_by_org_policy', rule: 'denylist:127.0.0.1/32' });
    expect(e.detail).toBe(
      'localhost resolves to 127.0.0.1, which is in denylist entry 127.0.0.1/32 of the org egress policy',
    );
    expect(a.hits).toBe(before);
    // The pre-flight (registration, dry run) resolves too and says the same.
    const check = await o.egress.checkUrl(`http://localhost:${a.port}/`);
    expect(check).toMatchObject({ ok: false, rule: 'denylist:127.0.0.1/32' });
  });

  it('a redirect to a denied host, or to an address in a denied block, is refused at that hop', async () => {
    const toName = await peer('127.0.0.1', redirectTo(`http://localhost:${b.port}/`));
    const toBlock = await peer('127.0.0.1', redirectTo(`${b.origin}/`));
    const o = await org('redirect-denied', { deny: ['localhost', '127.0.0.2/32'] });
    const before = b.hits;
    const byName = await refusal(o.egress.fetch(`${toName.origin}/`));
    expect(byName).toMatchObject({ code: 'egress_denied_by_org_policy', rule: 'denylist:localhost' });
    expect(byName.detail).toBe(
      `redirect from ${toName.origin} refused: localhost matches denylist entry localhost of the org egress policy`,
    );
    const byBlock = await refusal(o.egress.fetch(`${toBlock.origin}/`));
    expect(byBlock).toMatchObject({ code: 'egress_denied_by_org_policy', rule: 'denylist:127.0.0.2/32' });
    expect(toName.hits + toBlock.hits).toBe(2);
    expect(b.hits).toBe(before);
  });

  it('a denied port is refused on every destination, and nothing is sent', async () => {
    const o = await org('port-denied', { allow: ['127.0.0.0/8'], deniedPorts: [a.port] });
    const before = a.hits;
    const e = await refusal(o.egress.fetch(`${a.origin}/`));
    expect(e).toMatchObject({ code: 'egress_denied_by_org_policy', rule: `denied_port:${a.port}` });
    expect(e.detail).toBe(`port ${a.port} is denied by the org egress policy`);
    await refusal(o.egress.fetch(`http://localhost:${a.port}/`));
    expect(a.hits).toBe(before);
    expect((await o.egress.fetch(`${b.origin}/`)).status).toBe(200);
  });

  it("one org's rules do not touch another org's traffic", async () => {
    const strict = await org('isolation-strict', { deny: ['127.0.0.0/8'] });
    const other = await org('isolation-other', {});
    await refusal(strict.egress.fetch(`${a.origin}/`));
    expect((await other.egress.fetch(`${a.origin}/`)).status).toBe(200);
    expect((await t.sc.egressPolicy.orgEgress.forOrg(t.orgId).fetch(`${a.origin}/`)).status).toBe(200);
  });

  it('an org allowlist cannot widen the platform policy: metadata and unlisted private ranges stay refused', async () => {
    const o = await org('cannot-widen', {
      allow: ['169.254.169.254/32', '10.0.0.0/8', 'metadata.google.internal'],
    });
    const metadata = await refusal(o.egress.fetch('http://169.254.169.254/latest/meta-data/'));
    expect(metadata.code).toBe('egress_metadata_blocked');
    const privateNet = await refusal(o.egress.fetch('http://10.0.0.1/'));
    expect(privateNet.code).toBe('egress_address_blocked');
    const check = await t.app.inject({
      method: 'POST',
      url: '/v1/egress-policy/check',
      headers: o.auth,
      payload: { url: 'http://169.254.169.254/' },
    });
    expect(check.json()).toMatchObject({
      allowed: false,
      code: 'egress_metadata_blocked',
      rule: 'global:egress_metadata_blocked',
    });
  });
});

describe('the per-org outbound rate limit', () => {
  it('refuses requests over the limit with a clear error, for that org only', async () => {
    const o = await org('rate-limited', { rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await o.egress.fetch(`${a.origin}/`)).status).toBe(200);
    const e = await refusal(o.egress.fetch(`${a.origin}/`));
    expect(e).toMatchObject({ code: 'egress_rate_limited', rule: 'rate_limit' });
    expect(e.detail).toMatch(/outbound rate limit of 3 requests per minute is reached; retry in \d+ s/);
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    const other = await org('rate-unlimited', {});
    expect((await other.egress.fetch(`${a.origin}/`)).status).toBe(200);
  });

  it('puts a discovery off (retrying, not failed) when the org is over its limit', async () => {
    const mcp = await startMutable([{ name: 'ping', description: 'Ping', inputSchema: { type: 'object' } }]);
    try {
      const o = await org('rate-discovery', { rateLimitPerMinute: 1 });
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/servers',
        headers: o.auth,
        payload: { name: 'limited', url: mcp.url },
      });
      expect(res.statusCode).toBe(201);
      const jobId = res.json().discoveryJob.id;
      const job = await eventually(async () => {
        const j = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: o.auth })).json();
        return j.error?.code === 'rate_limited' ? j : undefined;
      });
      expect(job.state).toBe('retrying');
      expect(job.error.retryable).toBe(true);
    } finally {
      await mcp.close();
    }
  });
});

describe('/metrics', () => {
  it('counts outbound requests per org, decision and rule', async () => {
    const o = await org('metrics', { deny: ['127.0.0.2/32'], rateLimitPerMinute: 4 });
    for (let i = 0; i < 4; i++) await o.egress.fetch(`${a.origin}/`);
    // Refused by a rule before admission: spends nothing of the rate limit.
    await refusal(o.egress.fetch(`${b.origin}/`));
    expect((await refusal(o.egress.fetch(`${a.origin}/`))).code).toBe('egress_rate_limited');
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const line = (decision: string, rule: string) =>
      `sprintconnect_egress_requests_total{org="${o.orgId}",decision="${decision}",rule="${rule}"}`;
    expect(res.body).toContain(`${line('allowed', 'none')} 4`);
    expect(res.body).toContain(`${line('denied', 'denylist:127.0.0.2/32')} 1`);
    expect(res.body).toContain(`${line('rate_limited', 'rate_limit')} 1`);
  });

  it('without a metrics token, answers loopback callers only, and not through a proxy', async () => {
    const remote = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.headers['content-type']).toMatch(/problem\+json/);
    const proxied = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(403);
  });
});
