import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pg from 'pg';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import { compose } from '../../apps/server/src/main.ts';
import { ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import { TEST_EGRESS_PORTS } from '../../apps/server/test/constants.ts';
import { startEverything } from '../../apps/server/test/mcp-servers/everything.ts';
import { type RunningServer, spawnTestServer } from '../../apps/server/test/mcp-servers/loopback.ts';
import { openBenchDatabase, percentile, runBench } from '../lib.ts';
import { seedGatewayOrg } from './seed.ts';

/**
 * The MCP gateway (issue 11, ADR 0040) against calling the upstream directly, in one run:
 *
 * 1. CLIENTS concurrent SDK v2 clients, CALLS calls each of one cheap tool: direct to server-everything (`echo`,
 *    a 2025-era server in its own process), then through `/mcp` (API-key auth, a Cedar decision per call, the
 *    key's and org's rate limits and budget metering, audit on: an echo is not destructive, so it writes none);
 *    then the same against our stateless 2026-07-28 server (`tool_01`, also in its own process).
 * 2. `tools/list` through `/mcp` for an org of SERVERS x TOOLS seeded tools under a policy hiding half.
 *
 * CPU per proxied call is this process's CPU (clients + gateway; the upstreams and Postgres are other
 * processes) over the gateway phase minus the direct phase (clients only), divided by the calls.
 * Targets (issue 11): gateway throughput >= 75% of direct, p50 added <= 2 ms, CPU < 0.6 ms per call, list p95
 * < 50 ms. Limits are raised out of the way (key, org, egress).
 *
 * SQL per call is what this process sent during the phase over its calls (the direct phases show the
 * background: job polling, outbox relays).
 *
 *   node bench/gateway/gateway.bench.ts                     400 calls per client
 *   BENCH_GATEWAY_CALLS=4000 node bench/gateway/...         the 4,000
 *   BENCH_GATEWAY_MARKS=1 node --cpu-prof bench/gateway/... each phase's window on the profile's clock (stderr)
 */
const CLIENTS = 8;
const CALLS = Number(process.env.BENCH_GATEWAY_CALLS ?? 400);
const WARMUP = 25;
const SERVERS = 200;
const TOOLS = 25;
const LISTS = 200;
const TARGETS = { ratio: 0.75, addedP50Ms: 2, cpuMsPerCall: 0.6, listP95Ms: 50 };
const DEADLINE_MS = 20 * 60_000;

setTimeout(() => {
  process.stderr.write(`gateway bench: gave up after ${DEADLINE_MS / 60_000} minutes\n`);
  process.exit(2);
}, DEADLINE_MS).unref();

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * SQL statements sent by this process (every pool client is a `pg.Client`): per phase, so the table shows what
 * each proxied call costs the database. The direct phases count the background (jobs, flushes) over the same time.
 */
let statements = 0;
const query = pg.Client.prototype.query as unknown as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...a: unknown[]
) {
  statements++;
  return query.apply(this, a);
};
const NS = 'SprintConnect';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client(
    { name: 'gateway-bench', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

interface Phase {
  callsPerSecond: number;
  p50: number;
  p95: number;
  cpuMs: number;
  calls: number;
  /** SQL statements this process sent during the phase, per call. */
  sqlPerCall: number;
}

/** CLIENTS clients, each CALLS sequential calls of one tool; wall time, per-call latency and this process's CPU. */
async function phase(
  url: string,
  headers: Record<string, string>,
  tool: string,
  args: Record<string, unknown>,
) {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(url, headers)));
  try {
    const once = async (c: Client) => {
      const r = await c.callTool({ name: tool, arguments: args });
      if (r.isError === true) throw new Error(`${tool} at ${url}: ${JSON.stringify(r.content)}`);
    };
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < WARMUP; i++) await once(c);
      }),
    );
    const ms: number[] = [];
    const sql0 = statements;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < CALLS; i++) {
          const s = performance.now();
          await once(c);
          ms.push(performance.now() - s);
        }
      }),
    );
    const wall = performance.now() - t0;
    // For `node --cpu-prof`: the phase's window on the profile's clock (both are CLOCK_MONOTONIC, in µs).
    if (process.env.BENCH_GATEWAY_MARKS === '1') {
      const end = process.hrtime.bigint() / 1000n;
      process.stderr.write(`mark ${url} ${end - BigInt(Math.round(wall * 1000))} ${end}\n`);
    }
    const cpu = process.cpuUsage(cpu0);
    const calls = CLIENTS * CALLS;
    return {
      callsPerSecond: (calls / wall) * 1000,
      p50: percentile(ms, 50),
      p95: percentile(ms, 95),
      cpuMs: (cpu.user + cpu.system) / 1000,
      calls,
      sqlPerCall: (statements - sql0) / calls,
    } satisfies Phase;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

async function main(): Promise<boolean> {
  const t0 = performance.now();
  const upstreams: RunningServer[] = [];
  const { database, cleanup } = await openBenchDatabase('gateway');
  try {
    const everything = await startEverything('streamable-http');
    upstreams.push(everything);
    const modern = await spawnTestServer(
      new URL('../../apps/server/test/mcp-servers/stateless-2026.ts', import.meta.url),
    );
    upstreams.push(modern);

    const { orgId } = await ensureDefaultOrg(database.adminDb);
    const listOrg = randomUUID();
    await seedGatewayOrg(
      database.adminPool,
      listOrg,
      { servers: SERVERS, tools: TOOLS },
      {
        'hide-odd': `forbid (principal, action == ${NS}::Action::"tools:call", resource is ${NS}::Capability)
        when { resource.name like "odd_*" };`,
      },
    );
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const parsed = parseConfig({
      LOG_LEVEL: 'silent',
      PORT: String(port),
      SPRINTCONNECT_PUBLIC_URL: publicUrl,
      SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32',
      SPRINTCONNECT_EGRESS_PORTS: TEST_EGRESS_PORTS,
      SPRINTCONNECT_API_KEY_RATE_LIMIT: '1000000',
      SPRINTCONNECT_ORG_RATE_LIMIT: '1000000',
      SPRINTCONNECT_EGRESS_RATE_LIMIT: '1000000',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const sc = await compose({ config: parsed.config, database, masterKey: randomBytes(32) });
    try {
      const app = sc.app!;
      await app.listen({ port, host: '127.0.0.1' });
      const boot = await sc.apiKeys.keys.bootstrap(database.adminDb, orgId, undefined);
      const admin = { authorization: `Bearer ${boot!.token}` };
      const register = async (name: string, url: string) => {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/servers',
          headers: admin,
          payload: { name, url },
        });
        if (res.statusCode !== 201) throw new Error(`registering ${name}: ${res.statusCode} ${res.body}`);
        const id = res.json().id as string;
        for (let i = 0; i < 600; i++) {
          const r = await app.inject({ method: 'GET', url: `/v1/servers/${id}`, headers: admin });
          if (r.json().status === 'active') return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`${name} was not discovered`);
      };
      await register('everything', everything.url);
      await register('modern', modern.url);
      const key = await sc.apiKeys.keys.create(
        { type: 'system', id: 'bench', orgId },
        { name: 'bench', scopes: ['admin'], rateLimit: 1_000_000 },
      );
      const gw = { authorization: `Bearer ${key.token}` };
      const mcp = `${publicUrl}/mcp`;

      const rows = {
        'everything direct': await phase(everything.url, {}, 'echo', { message: 'hi' }),
        'everything gateway': await phase(mcp, gw, 'everything__echo', { message: 'hi' }),
        'stateless-2026 direct': await phase(modern.url, {}, 'tool_01', { value: 'hi' }),
        'stateless-2026 gateway': await phase(mcp, gw, 'modern__tool_01', { value: 'hi' }),
      };

      const listKey = await sc.apiKeys.keys.bootstrap(database.adminDb, listOrg, undefined);
      const lister = await connect(mcp, { authorization: `Bearer ${listKey!.token}` });
      const listMs: number[] = [];
      let listed = 0;
      try {
        for (let i = 0; i < 20 + LISTS; i++) {
          const s = performance.now();
          listed = (await lister.listTools()).tools.length;
          if (i >= 20) listMs.push(performance.now() - s);
        }
      } finally {
        await lister.close();
      }
      const expected = SERVERS * Math.ceil(TOOLS / 2); // even_0 .. even_24: the odd ones are hidden
      if (listed !== expected) throw new Error(`tools/list showed ${listed} tools, expected ${expected}`);
      return report(rows, { p50: percentile(listMs, 50), p95: percentile(listMs, 95), listed }, t0);
    } finally {
      await sc.stop();
    }
  } finally {
    await Promise.all(upstreams.map((u) => u.close()));
    await cleanup();
  }
}

function report(rows: Record<string, Phase>, list: { p50: number; p95: number; listed: number }, t0: number) {
  const f = (n: number, d = 2) => n.toFixed(d).padStart(10);
  log('');
  log(
    `${'phase'.padEnd(24)}${'calls/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'cpu ms'.padStart(10)}${'sql/call'.padStart(10)}`,
  );
  for (const [name, r] of Object.entries(rows)) {
    log(
      `${name.padEnd(24)}${f(r.callsPerSecond, 0)}${f(r.p50)}${f(r.p95)}${f(r.cpuMs, 0)}${f(r.sqlPerCall, 3)}`,
    );
  }
  const compare = (server: string) => {
    const d = rows[`${server} direct`]!;
    const g = rows[`${server} gateway`]!;
    return {
      ratio: g.callsPerSecond / d.callsPerSecond,
      addedP50Ms: g.p50 - d.p50,
      addedP95Ms: g.p95 - d.p95,
      cpuMsPerCall: (g.cpuMs - d.cpuMs) / g.calls,
    };
  };
  const results = { everything: compare('everything'), 'stateless-2026': compare('stateless-2026') };
  let pass = list.p95 < TARGETS.listP95Ms;
  for (const [server, c] of Object.entries(results)) {
    const ok =
      c.ratio >= TARGETS.ratio && c.addedP50Ms <= TARGETS.addedP50Ms && c.cpuMsPerCall < TARGETS.cpuMsPerCall;
    pass &&= ok;
    log(
      `${server}: gateway/direct ${(c.ratio * 100).toFixed(0)}% (target >= ${TARGETS.ratio * 100}%), added p50 ` +
        `${c.addedP50Ms.toFixed(2)} ms (<= ${TARGETS.addedP50Ms}), added p95 ${c.addedP95Ms.toFixed(2)} ms, CPU per ` +
        `proxied call ${c.cpuMsPerCall.toFixed(3)} ms (< ${TARGETS.cpuMsPerCall}) -> ${ok ? 'PASS' : 'FAIL'}`,
    );
  }
  log(
    `tools/list over ${SERVERS} x ${TOOLS} tools, half hidden by policy (${list.listed} shown): p50 ` +
      `${list.p50.toFixed(2)} ms, p95 ${list.p95.toFixed(2)} ms (target < ${TARGETS.listP95Ms}) -> ` +
      `${list.p95 < TARGETS.listP95Ms ? 'PASS' : 'FAIL'}`,
  );
  log(
    JSON.stringify({
      bench: 'gateway',
      clients: CLIENTS,
      callsPerClient: CALLS,
      rows,
      results,
      list,
      targets: TARGETS,
      pass,
      totalMs: Math.round(performance.now() - t0),
    }),
  );
  return pass;
}

runBench(main);
