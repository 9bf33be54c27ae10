/**
 * Issue 10 point 6: changing how SprintConnect reaches a server (its URL, transport or credentials) starts a new
 * discovery when `autoDiscover` is on, in the transaction of the change, and ends one still about the old
 * connection; other changes start none. So a registration whose discovery failed is fixed by correcting it.
 * Real MCP servers on 127.0.0.1: server-everything, a gate in front of a catalogue server, an HTML page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningEverything, startEverything } from '../../../test/mcp-servers/everything.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { startHtml } from '../../../test/mcp-servers/html.ts';
import type { RunningServer } from '../../../test/mcp-servers/loopback.ts';
import { withTenant } from '../../platform/db/index.ts';

let t: TestApp;
let everything: RunningEverything;
let gate: RunningGate;
let html: RunningServer;

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    // Long enough that a hanging server keeps its discovery running while the test changes the server.
    discoveryTimeouts: { connectMs: 30_000, listMs: 5_000, totalMs: 40_000 },
  });
  [everything, gate, html] = await Promise.all([
    startEverything('streamable-http'),
    startGate(),
    startHtml(),
  ]);
});
afterAll(async () => {
  await t.stop();
  await Promise.all([everything.close(), gate.close(), html.close()]);
});

const get = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: t.auth })).json();
const patch = (id: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: `/v1/servers/${id}`, headers: t.auth, payload });

async function register(name: string, url: string, extra: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: t.auth,
    payload: { name, url, ...extra },
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

async function finished(jobId: string) {
  return eventually(
    async () => {
      const j = await get(`/v1/jobs/${jobId}`);
      return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
    },
    45_000,
    `job ${jobId}`,
  );
}

async function discoveryJobs(serverId: string) {
  return withTenant(t.database.adminDb, t.orgId, (tx) =>
    tx
      .selectFrom('jobs')
      .select(['id', 'state'])
      .where('subject_id', '=', serverId)
      .where('kind', '=', 'discovery')
      .orderBy('created_at')
      .execute(),
  );
}

describe('a changed connection starts a new discovery (autoDiscover on)', () => {
  it('a registration whose discovery failed on a wrong URL is fixed by PATCHing the URL: the new one is discovered', async () => {
    const created = await register('fix-me', html.url);
    const failed = await finished(created.discoveryJob.id);
    expect(failed.error.code).toBe('not_mcp');
    expect((await get(`/v1/servers/${created.id}`)).status).toBe('discovery_failed');

    const res = await patch(created.id, { url: everything.url });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // The change itself: the new URL, and a server waiting for discovery again, without the old URL's error.
    expect(body).toMatchObject({ url: everything.url, status: 'pending_discovery', lastError: null });
    expect(body.discoveryJob).toMatchObject({
      kind: 'discovery',
      subject: { type: 'server', id: created.id },
      links: { self: `/v1/jobs/${body.discoveryJob.id}` },
    });
    expect(body.discoveryJob.id).not.toBe(created.discoveryJob.id);

    const done = await finished(body.discoveryJob.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const server = await get(`/v1/servers/${created.id}`);
    expect(server).toMatchObject({ status: 'active', currentVersion: 1, lastError: null });
    const caps = await get(`/v1/servers/${created.id}/capabilities`);
    expect(caps.tools.map((x: { name: string }) => x.name)).toContain('echo');
  }, 60_000);

  it('new credentials start one, and it connects with them', async () => {
    gate.answer((_n, headers) =>
      headers['x-api-key'] === 'right-key'
        ? 'pass'
        : { status: 401, headers: { 'www-authenticate': 'Bearer realm="mcp"' }, body: '{}' },
    );
    const created = await register('needs-key', `${gate.origin}/keyed`, {
      auth: { type: 'header', name: 'X-Api-Key', value: 'wrong-key' },
    });
    expect((await finished(created.discoveryJob.id)).error.code).toBe('unauthorized');

    const res = await patch(created.id, { auth: { type: 'header', name: 'X-Api-Key', value: 'right-key' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().auth).toEqual({ type: 'header', headerName: 'X-Api-Key' });
    const done = await finished(res.json().discoveryJob.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect((await get(`/v1/servers/${created.id}`)).status).toBe('active');
  }, 60_000);

  it('another transport starts one', async () => {
    gate.answer('pass');
    const created = await register('transport', `${gate.origin}/transport`);
    expect((await finished(created.discoveryJob.id)).state).toBe('succeeded');
    const res = await patch(created.id, { transport: 'sse' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ transport: 'sse', status: 'pending_discovery' });
    expect(res.json().discoveryJob).toMatchObject({ kind: 'discovery', subject: { id: created.id } });
    await finished(res.json().discoveryJob.id);
    expect(await discoveryJobs(created.id)).toHaveLength(2);
  }, 60_000);

  it('ends a discovery still running against the old URL (cancelled, superseded) and starts one of the new URL', async () => {
    gate.answer('hang');
    const created = await register('moving', `${gate.origin}/moving`);
    const old = created.discoveryJob.id as string;
    await eventually(
      async () => ((await get(`/v1/jobs/${old}`)).state === 'running' ? true : undefined),
      20_000,
      'the first discovery to run',
    );

    const res = await patch(created.id, { url: everything.url });
    expect(res.statusCode).toBe(200);
    const next = res.json().discoveryJob;
    expect(next.id).not.toBe(old);

    const stopped = await get(`/v1/jobs/${old}`);
    expect(stopped).toMatchObject({ state: 'cancelled', error: { code: 'superseded', retryable: false } });
    const done = await finished(next.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    // The run of the old URL lost its lease: it stopped without writing, so the new URL's result stands.
    await eventually(async () => (gate.hanging() === 0 ? true : undefined), 20_000, 'the old run to stop');
    expect(await get(`/v1/jobs/${old}`)).toMatchObject({ state: 'cancelled', error: { code: 'superseded' } });
    expect(await get(`/v1/servers/${created.id}`)).toMatchObject({ status: 'active', url: everything.url });
    const runs = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.selectFrom('job_runs').select(['outcome', 'error_code']).where('job_id', '=', old).execute(),
    );
    expect(runs).toEqual([{ outcome: 'superseded', error_code: 'superseded' }]);
    expect((await discoveryJobs(created.id)).map((j) => j.state)).toEqual(['cancelled', 'succeeded']);
  }, 90_000);

  it('records the change and why the discovery was requested in the audit log', async () => {
    const created = await register('audited-change', everything.url, { autoDiscover: false });
    const res = await patch(created.id, { url: `${everything.url}?v=2`, autoDiscover: true });
    const jobId = res.json().discoveryJob.id;
    const rows = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'data'])
        .where('target_id', '=', created.id)
        .orderBy('occurred_at')
        .execute(),
    );
    expect(rows.map((r) => r.action)).toEqual(['server.registered', 'server.updated', 'discovery.requested']);
    expect(rows[1]!.data).toEqual({ fields: ['url', 'autoDiscover'], connectionChanged: true });
    expect(rows[2]!.data).toEqual({ jobId, force: false, reason: 'connection_changed' });
    await finished(jobId);
  }, 60_000);
});

describe('changes that do not touch the connection start none', () => {
  it('name, tags, description and environment: no discovery, status kept', async () => {
    const created = await register('quiet', everything.url);
    await finished(created.discoveryJob.id);
    const res = await patch(created.id, {
      name: 'quiet-renamed',
      tags: ['x'],
      description: 'renamed',
      environment: 'staging',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'quiet-renamed', status: 'active', discoveryJob: null });
    expect(await discoveryJobs(created.id)).toHaveLength(1);
  }, 60_000);

  it('the same URL and transport sent again: no discovery', async () => {
    const created = await register('same-url', everything.url);
    await finished(created.discoveryJob.id);
    const res = await patch(created.id, { url: everything.url, transport: 'streamable-http' });
    expect(res.json()).toMatchObject({ status: 'active', discoveryJob: null });
    expect(await discoveryJobs(created.id)).toHaveLength(1);
  }, 60_000);

  it('a new URL with autoDiscover off: no discovery, but the server waits for one, without the old error', async () => {
    const created = await register('manual', html.url);
    await finished(created.discoveryJob.id);
    expect((await get(`/v1/servers/${created.id}`)).status).toBe('discovery_failed');
    const res = await patch(created.id, { url: everything.url, autoDiscover: false });
    expect(res.json()).toMatchObject({ status: 'pending_discovery', lastError: null, discoveryJob: null });
    expect(await discoveryJobs(created.id)).toHaveLength(1);
  }, 60_000);

  it('a refused change (URL not allowed) starts nothing and changes nothing', async () => {
    const created = await register('refused-change', everything.url, { autoDiscover: false });
    const res = await patch(created.id, { url: 'http://169.254.169.254/latest/meta-data' });
    expect(res.statusCode).toBe(422);
    expect((await get(`/v1/servers/${created.id}`)).url).toBe(everything.url);
    expect(await discoveryJobs(created.id)).toHaveLength(0);
  });
});
