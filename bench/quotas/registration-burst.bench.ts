import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { Agent, request } from 'undici';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import { compose } from '../../apps/server/src/main.ts';
import { createOrg, ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import { openBenchDatabase, percentile, runBench } from '../lib.ts';

/**
 * Issue 8, point 16: a burst of registrations in one org must not starve the reads of every other org.
 *
 * One process (role api, the default pool of 10 connections), over real HTTP on 127.0.0.1 with keep-alive:
 * org B reads one of its servers (`GET /v1/servers/{id}`, 8 in flight) while org A keeps 50 registrations in
 * flight (`POST /v1/servers`, automatic discovery queued, as the default is), each started as the previous one
 * of its worker answers. Quiet and burst phases alternate (quiet, burst, quiet, burst, ...) so drift in the
 * machine's load falls on both alike. During the bursts, app-role backends waiting on a heavyweight lock
 * (pg_stat_activity.wait_event_type = 'Lock') are sampled every 20 ms as a diagnostic.
 *
 * Target: org B keeps at least 50% of its quiet read throughput during the bursts.
 *
 *   node bench/quotas/registration-burst.bench.ts
 *   DATABASE_URL=postgres://... node bench/quotas/registration-burst.bench.ts
 */
const ROUNDS = 3;
const PHASE_MS = 3_000;
const READERS = 8;
const REGISTRATIONS_IN_FLIGHT = 50;
const TARGET_RATIO = 0.5;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

async function main(): Promise<boolean> {
  const { database, cleanup } = await openBenchDatabase('quotas');
  const stops: (() => Promise<void>)[] = [];
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const parsed = parseConfig({
      LOG_LEVEL: 'silent',
      PORT: String(port),
      SPRINTCONNECT_ROLE: 'api',
      SPRINTCONNECT_PUBLIC_URL: base,
      // Neither limit is what this measures: both orgs send far more than the defaults allow in a minute.
      SPRINTCONNECT_API_KEY_RATE_LIMIT: '1000000',
      SPRINTCONNECT_ORG_RATE_LIMIT: '1000000',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const { orgId: orgB } = await ensureDefaultOrg(database.adminDb);
    const orgA = await createOrg(database.adminDb, { slug: 'burst', name: 'burst' });
    const sc = await compose({ config: parsed.config, database, masterKey: randomBytes(32) });
    stops.push(() => sc.stop());
    await sc.apiKeys.keys.listening;
    await sc.app!.listen({ port, host: '127.0.0.1' });
    const readAgent = new Agent({ connections: READERS, keepAliveTimeout: 30_000 });
    const burstAgent = new Agent({ connections: REGISTRATIONS_IN_FLIGHT, keepAliveTimeout: 30_000 });
    stops.push(() => readAgent.close());
    stops.push(() => burstAgent.close());

    const systemA = { type: 'system' as const, id: 'bench', orgId: orgA };
    const systemB = { type: 'system' as const, id: 'bench', orgId: orgB };
    // Org A registers far more than the default quotas allow: the admin overrides, as an org would.
    await sc.quotas.service.set(systemA, 'servers', 1_000_000);
    await sc.quotas.service.set(systemA, 'discoveries_per_day', 1_000_000);
    const keyA = (await sc.apiKeys.keys.create(systemA, { name: 'burst', scopes: ['admin'] })).token;
    const keyB = (await sc.apiKeys.keys.create(systemB, { name: 'reader', scopes: ['admin'] })).token;

    const post = async (agent: Agent, token: string, body: unknown) => {
      const res = await request(`${base}/v1/servers`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.body.json()) as { id: string };
      if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${JSON.stringify(json)}`);
      return json;
    };
    const path = `/v1/servers/${(await post(readAgent, keyB, { name: 'read-me', url: 'https://read.bench.example/mcp', autoDiscover: false })).id}`;

    const read = async () => {
      const t0 = performance.now();
      const res = await request(`${base}${path}`, {
        dispatcher: readAgent,
        headers: { authorization: `Bearer ${keyB}` },
      });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`read: ${res.statusCode}`);
      return performance.now() - t0;
    };
    /** Reads for `ms`, READERS in flight: how many per second, and their latencies. */
    const readFor = async (ms: number) => {
      const lat: number[] = [];
      const t0 = performance.now();
      const until = t0 + ms;
      await Promise.all(
        Array.from({ length: READERS }, async () => {
          while (performance.now() < until) lat.push(await read());
        }),
      );
      return { count: lat.length, seconds: (performance.now() - t0) / 1000, lat };
    };

    let serial = 0;
    /** Keeps REGISTRATIONS_IN_FLIGHT registrations in flight in org A until `stop()`; counts those answered. */
    const burst = () => {
      let running = true;
      let done = 0;
      const workers = Array.from({ length: REGISTRATIONS_IN_FLIGHT }, async () => {
        while (running) {
          const n = ++serial;
          // An address literal: the URL check needs no DNS lookup, which is not what this measures.
          await post(burstAgent, keyA, { name: `burst-${n}`, url: `https://93.184.215.14/mcp/${n}` });
          done++;
        }
      });
      return {
        async stop() {
          running = false;
          await Promise.all(workers);
          return done;
        },
      };
    };

    // Lock waits of the runtime role's backends, sampled as a diagnostic (the test asserts them, not this).
    const monitor = new pg.Client({ connectionString: database.adminUrl });
    await monitor.connect();
    stops.push(() => monitor.end());
    const sampleLockWaits = (ms: number) => {
      let max = 0;
      let samples = 0;
      let withWaits = 0;
      const until = performance.now() + ms;
      const done = (async () => {
        while (performance.now() < until) {
          const r = await monitor.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE usename = 'sprintconnect_app' AND datname = current_database() AND wait_event_type = 'Lock'`,
          );
          const n = r.rows[0]!.n;
          samples++;
          if (n > 0) withWaits++;
          max = Math.max(max, n);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      return done.then(() => ({ max, samples, withWaits }));
    };

    // Warm-up: both paths once, so the first phase pays no compilation or first-connection cost.
    await readFor(500);
    await (async () => {
      const b = burst();
      await new Promise((r) => setTimeout(r, 500));
      await b.stop();
    })();

    const quiet = { count: 0, seconds: 0, lat: [] as number[] };
    const loaded = { count: 0, seconds: 0, lat: [] as number[] };
    let registered = 0;
    let burstSeconds = 0;
    const waits = { max: 0, samples: 0, withWaits: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const q = await readFor(PHASE_MS);
      quiet.count += q.count;
      quiet.seconds += q.seconds;
      quiet.lat.push(...q.lat);

      const b = burst();
      const t0 = performance.now();
      // Let the burst fill the pool before measuring, as a burst that is already under way would.
      await new Promise((r) => setTimeout(r, 200));
      const [l, w] = await Promise.all([readFor(PHASE_MS), sampleLockWaits(PHASE_MS)]);
      registered += await b.stop();
      burstSeconds += (performance.now() - t0) / 1000;
      loaded.count += l.count;
      loaded.seconds += l.seconds;
      loaded.lat.push(...l.lat);
      waits.max = Math.max(waits.max, w.max);
      waits.samples += w.samples;
      waits.withWaits += w.withWaits;
    }

    const quietRps = quiet.count / quiet.seconds;
    const loadedRps = loaded.count / loaded.seconds;
    const ratio = loadedRps / quietRps;
    const pass = ratio >= TARGET_RATIO;
    const ms = (xs: number[], p: number) => +percentile(xs, p).toFixed(2);
    log(
      `org B reads, quiet        ${quietRps.toFixed(0).padStart(6)} req/s  p50 ${ms(quiet.lat, 50)} ms  p95 ${ms(quiet.lat, 95)} ms`,
    );
    log(
      `org B reads, during burst ${loadedRps.toFixed(0).padStart(6)} req/s  p50 ${ms(loaded.lat, 50)} ms  p95 ${ms(loaded.lat, 95)} ms`,
    );
    log(
      `org A registrations       ${(registered / burstSeconds).toFixed(0).padStart(6)} /s with ${REGISTRATIONS_IN_FLIGHT} in flight (${registered} in all)`,
    );
    log(
      `app backends waiting on a lock during bursts: max ${waits.max}, in ${waits.withWaits} of ${waits.samples} samples`,
    );
    log(
      `target: org B keeps >= ${TARGET_RATIO * 100}% of its read throughput (${(ratio * 100).toFixed(0)}%) -> ${pass ? 'PASS' : 'FAIL'}`,
    );
    log(
      JSON.stringify({
        bench: 'quotas-registration-burst',
        quietRps: Math.round(quietRps),
        burstRps: Math.round(loadedRps),
        ratio: +ratio.toFixed(3),
        registrationsPerSecond: Math.round(registered / burstSeconds),
        lockWaits: waits,
        pass,
      }),
    );
    return pass;
  } finally {
    for (const stop of stops.reverse()) await stop();
    await cleanup();
  }
}

runBench(main);
