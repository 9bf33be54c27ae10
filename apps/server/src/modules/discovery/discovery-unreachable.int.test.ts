import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { startHtml } from '../../../test/mcp-servers/html.ts';
import { closedPortUrl } from '../../../test/mcp-servers/loopback.ts';
import { withTenant } from '../../platform/db/index.ts';

/**
 * Issue 8 point 5: a tenant must not learn from discovery errors which ports of a host are open. Refused, a
 * listener that answers with something other than HTTP, and one that says nothing are the three answers a
 * port probe distinguishes; the tenant sees one `unreachable` for all of them, with the same message,
 * guidance and number of attempts, while the server log keeps the precise cause (ADR 0027).
 */

let t: TestApp;
const logLines: string[] = [];
const tcpServers: Server[] = [];
const closers: (() => Promise<void>)[] = [];

/** A raw TCP listener on 127.0.0.1 (not HTTP): what sits on 6379 or 5432. */
async function rawTcp(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer(onConnection);
  tcpServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}/mcp`;
}

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', LOG_LEVEL: 'warn' },
    discoveryTimeouts: { connectMs: 1500, listMs: 1500, totalMs: 5000 },
    http: { logStream: { write: (line) => void logLines.push(line) } },
  });
});
afterAll(async () => {
  await t.stop();
  for (const server of tcpServers) server.close();
  await Promise.all(closers.map((close) => close()));
});

async function discoverTo(name: string, url: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: t.auth,
    payload: { name, url },
  });
  expect(res.statusCode).toBe(201);
  const { id, discoveryJob } = res.json();
  const job = await eventually(
    async () => {
      const j = (
        await t.app.inject({ method: 'GET', url: `/v1/jobs/${discoveryJob.id}`, headers: t.auth })
      ).json();
      return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
    },
    45_000,
    `discovery of ${name}`,
  );
  const server = (await t.app.inject({ method: 'GET', url: `/v1/servers/${id}`, headers: t.auth })).json();
  return { job, server };
}

/** The server-log records of a job's failed attempts (the worker logs through pino, one JSON per line). */
function logged(jobId: string) {
  return logLines
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.discovery?.jobId === jobId)
    .map((entry) => entry.discovery);
}

type Outcome = Awaited<ReturnType<typeof discoverTo>>;
let refused: Outcome;
let notHttp: Outcome;
let silent: Outcome;

describe('discovery failures before any answer look the same to the tenant', () => {
  it('a refused port, a non-HTTP listener and a silent one give the same code, message, guidance and attempts', async () => {
    [refused, notHttp, silent] = await Promise.all([
      closedPortUrl().then((url) => discoverTo('refused', url)),
      // Answers as Redis does to an HTTP request, then hangs up.
      rawTcp((socket) => socket.end("-ERR unknown command 'POST'\r\n")).then((url) =>
        discoverTo('not-http', url),
      ),
      rawTcp(() => undefined).then((url) => discoverTo('silent', url)),
    ]);
    const shown = [refused, notHttp, silent].map(({ job, server }) => ({
      state: job.state,
      attempts: job.attempts,
      error: job.error,
      lastError: server.lastError,
      status: server.status,
    }));
    expect(shown[0]).toEqual({
      state: 'failed',
      attempts: 3,
      error: {
        code: 'unreachable',
        message: 'Could not connect to the server.',
        guidance: expect.stringContaining('kept in the SprintConnect server log'),
        retryable: true,
      },
      lastError: shown[0]!.error,
      status: 'discovery_failed',
    });
    expect(shown[1]).toEqual(shown[0]);
    expect(shown[2]).toEqual(shown[0]);
    const audited = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.selectFrom('audit_events').select('data').where('action', '=', 'discovery.failed').execute(),
    );
    expect(audited.map((a) => (a.data as { code: string }).code)).toEqual([
      'unreachable',
      'unreachable',
      'unreachable',
    ]);
  }, 120_000);

  it('keeps the precise cause of every attempt in the server log, and only there', () => {
    const causes = (o: Outcome) => logged(o.job.id).map((e) => [e.attempt, e.code, e.shownAs, e.wireCause]);
    const attempts = (code: string, cause: RegExp) =>
      [1, 2, 3].map((n) => [n, code, 'unreachable', expect.stringMatching(cause)]);
    expect(causes(refused)).toEqual(attempts('connection_refused', /^ECONNREFUSED: /));
    expect(logged(notHttp.job.id).every((e) => /^HTTPParserError: /.test(e.wireCause))).toBe(true);
    expect(logged(notHttp.job.id)).toHaveLength(3);
    expect(causes(silent)).toEqual(
      attempts('timeout', /^DiscoveryTimeoutError: connect took longer than 1500 ms/),
    );
    for (const o of [refused, notHttp, silent]) {
      const shown = JSON.stringify([o.job.error, o.server.lastError]);
      expect(shown).not.toMatch(/ECONNREFUSED|HTTPParser|connection_refused|took longer|127\.0\.0\.1/);
    }
  });

  it('a server that answers keeps its precise error: an HTML page is not_mcp, not unreachable', async () => {
    const html = await startHtml();
    closers.push(() => html.close());
    const { job } = await discoverTo('html', html.url);
    expect(job).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'not_mcp', retryable: false } });
    expect(logged(job.id)).toMatchObject([{ code: 'not_mcp', shownAs: 'not_mcp' }]);
  });
});
