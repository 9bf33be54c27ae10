import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { startEverything } from '../../../test/mcp-servers/everything.ts';
import { startHanging } from '../../../test/mcp-servers/hanging.ts';
import { startHtml } from '../../../test/mcp-servers/html.ts';
import { closedPortUrl, type RunningServer } from '../../../test/mcp-servers/loopback.ts';
import { type RunningMutableServer, startMutable } from '../../../test/mcp-servers/mutable.ts';
import { withTenant } from '../../platform/db/index.ts';

let t: TestApp;
let mutable: RunningMutableServer;
const servers: RunningServer[] = [];

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    discoveryTimeouts: { connectMs: 1500, listMs: 1500, totalMs: 5000 },
  });
  mutable = await startMutable([
    {
      name: 'get_forecast',
      description: 'Forecast',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
    },
    { name: 'old_tool', description: 'Going away', inputSchema: { type: 'object' } },
  ]);
  servers.push(mutable);
});
afterAll(async () => {
  await t.stop();
  await Promise.all(servers.map((s) => s.close()));
});

async function registerAndWait(name: string, url: string, extra: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: t.auth,
    payload: { name, url, ...extra },
  });
  expect(res.statusCode).toBe(201);
  const body = res.json();
  const job = await waitJob(body.discoveryJob.id);
  return { server: body, job };
}

async function waitJob(id: string, ms = 30_000) {
  return eventually(
    async () => {
      const j = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.auth })).json();
      return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
    },
    ms,
    `job ${id}`,
  );
}

const get = async (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth });

describe('discovery in the background (story 2.2)', () => {
  it('discovers a registered server and makes it active with version 1', async () => {
    const { server, job } = await registerAndWait('mutable', mutable.url);
    expect(job).toMatchObject({ state: 'succeeded', attempts: 1, progress: { percent: 100 }, error: null });
    expect(job.result).toMatchObject({ version: 1, changed: true, counts: { tools: 2 } });
    const s = (await get(`/v1/servers/${server.id}`)).json();
    expect(s).toMatchObject({ status: 'active', currentVersion: 1, lastError: null });
    const caps = (await get(`/v1/servers/${server.id}/capabilities`)).json();
    expect(caps.version).toBe(1);
    expect(caps.tools.map((x: { name: string }) => x.name).sort()).toEqual(['get_forecast', 'old_tool']);
    expect(caps.clientCapabilities).toBeDefined();
    expect(caps.serverInfo.name).toBe('sprintconnect-test-mutable');
  });

  it('stores no new version when nothing changed, and a new one with a diff when tools change', async () => {
    const id = (await get('/v1/servers?q=mutable')).json().items[0].id;
    const again = (
      await t.app.inject({ method: 'POST', url: `/v1/servers/${id}/discover`, headers: t.auth, payload: {} })
    ).json();
    const same = await waitJob(again.id);
    expect(same.result).toMatchObject({ version: 1, changed: false });

    mutable.setTools([
      {
        name: 'get_forecast',
        description: 'Forecast for a city',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'new_tool', description: 'Brand new', inputSchema: { type: 'object' } },
    ]);
    const next = (
      await t.app.inject({ method: 'POST', url: `/v1/servers/${id}/discover`, headers: t.auth })
    ).json();
    expect((await waitJob(next.id)).result).toMatchObject({ version: 2, changed: true });

    const versions = (await get(`/v1/servers/${id}/capabilities/versions`)).json();
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const diff = (await get(`/v1/servers/${id}/capabilities/diff?from=1&to=2`)).json();
    expect(diff.changed).toBe(true);
    expect(diff.tools.added).toEqual(['new_tool']);
    expect(diff.tools.removed).toEqual(['old_tool']);
    expect(diff.tools.modified).toEqual([{ name: 'get_forecast', changedFields: ['description'] }]);
    expect((await get(`/v1/servers/${id}/capabilities/diff?from=1&to=9`)).statusCode).toBe(404);
  });

  it('force rebuilds the search index from live data though nothing changed (no new version); without force it is left as is', async () => {
    const id = (await get('/v1/servers?q=mutable')).json().items[0].id;
    const discover = async (payload: Record<string, unknown>) =>
      waitJob(
        (
          await t.app.inject({ method: 'POST', url: `/v1/servers/${id}/discover`, headers: t.auth, payload })
        ).json().id,
      );
    const indexed = async () =>
      (
        await withTenant(t.database.adminDb, t.orgId, (tx) =>
          tx.selectFrom('capabilities').select('name').where('server_id', '=', id).orderBy('name').execute(),
        )
      ).map((r) => r.name);
    const found = async () =>
      (await get('/v1/discovery/servers?capability=new_tool'))
        .json()
        .items.map((i: { server: { id: string } }) => i.server.id);
    expect(await indexed()).toEqual(['get_forecast', 'new_tool']);
    // The index lost the server's rows (a failed migration, a restore): search no longer finds it.
    await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.deleteFrom('capabilities').where('server_id', '=', id).execute(),
    );
    expect(await found()).not.toContain(id);

    const plain = await discover({});
    expect(plain.result).toMatchObject({ version: 2, changed: false });
    expect(await indexed()).toEqual([]);

    const forced = await discover({ force: true });
    expect(forced.state).toBe('succeeded');
    expect(forced.result).toMatchObject({ version: 2, changed: false });
    expect(await indexed()).toEqual(['get_forecast', 'new_tool']);
    expect(await found()).toContain(id);
    const versions = (await get(`/v1/servers/${id}/capabilities/versions`)).json();
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('runs one discovery at a time per server: a second request returns the job already queued', async () => {
    const id = (await get('/v1/servers?q=mutable')).json().items[0].id;
    const [a, b] = await Promise.all([
      t.app.inject({ method: 'POST', url: `/v1/servers/${id}/discover`, headers: t.auth }),
      t.app.inject({ method: 'POST', url: `/v1/servers/${id}/discover`, headers: t.auth }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(a.json().id).toBe(b.json().id);
    const jobs = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('jobs')
        .select('id')
        .where('subject_id', '=', id)
        .where('state', 'in', ['queued', 'running', 'retrying'])
        .execute(),
    );
    expect(jobs.map((j) => j.id)).toEqual([a.json().id]);
    await waitJob(a.json().id);
  });

  it('discovers server-everything over Streamable HTTP and over SSE', async () => {
    for (const transport of ['streamable-http', 'sse'] as const) {
      const ev = await startEverything(transport);
      servers.push(ev);
      const { job } = await registerAndWait(`everything-${transport}`, ev.url, { transport });
      expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
      expect(job.result.counts.tools).toBeGreaterThan(5);
      expect(job.result.counts.prompts).toBeGreaterThan(0);
    }
  });
});

describe('discovery failures end the job with a clear error and guidance', () => {
  it('a page that answers HTML is not an MCP endpoint, and is not retried', async () => {
    const html = await startHtml();
    servers.push(html);
    const { server, job } = await registerAndWait('html', html.url);
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toMatchObject({ code: 'not_mcp', retryable: false });
    expect(job.error.guidance).toMatch(/\/mcp/);
    const s = (await get(`/v1/servers/${server.id}`)).json();
    expect(s.status).toBe('discovery_failed');
    expect(s.lastError.code).toBe('not_mcp');
  });

  it('a server that never answers times out at the configured stage timeout, shown as unreachable', async () => {
    const hanging = await startHanging();
    servers.push(hanging);
    const { job } = await registerAndWait('hanging', hanging.url);
    expect(job.state).toBe('failed');
    // Silence before any answer is what a filtered port looks like: one code for the tenant (ADR 0027);
    // the timeout itself is in the server log (discovery-unreachable.int.test.ts).
    expect(job.error.code).toBe('unreachable');
    expect(job.error.guidance).not.toBe('');
  }, 60_000);

  it('a refused connection is retried with backoff, then fails after the last try and is dead-lettered', async () => {
    const url = await closedPortUrl();
    const { job } = await registerAndWait('refused', url);
    expect(job).toMatchObject({ state: 'failed', attempts: 3, maxAttempts: 3 });
    expect(job.error).toMatchObject({ code: 'unreachable', retryable: true });
    const dead = await t.database.adminPool.query(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'discovery__dead' AND data->>'jobId' = $1",
      [job.id],
    );
    expect(dead.rows[0].n).toBe(1);
  }, 60_000);

  it('records the failure in the audit log', async () => {
    const rows = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.selectFrom('audit_events').select('action').where('action', '=', 'discovery.failed').execute(),
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });
});
