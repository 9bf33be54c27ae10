import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import { compose, type SprintConnect } from '../../apps/server/src/main.ts';
import { ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import { connectApp } from '../../apps/server/src/platform/db/index.ts';
import { postgresCounterStore } from '../../apps/server/src/platform/ratelimit/index.ts';
import { openBenchDatabase, percentile, runBench } from '../lib.ts';

/**
 * What authenticating an API key costs (ADR 0008), through the whole HTTP stack in-process on a route that does
 * no work of its own (an unknown /v1 path: authenticated, admitted, then 404):
 *
 * - warm: a key this process verified recently (cache hit) under the shared rate limit (lease slices);
 * - cold: a key seen for the first time (lookup through auth_find_api_key, and a slice reservation);
 * - the alternative we did not take: one rate-limit upsert in Postgres per request, measured alone;
 * - revocation: from DELETE in one process to the first 401 in another (LISTEN/NOTIFY).
 *
 * Targets: warm requests average at most 0.025 statements on the request path (a slice reservation per 100
 * requests for the key's limit and one for the org's, none for the key itself); warm p95 below cold p95; revocation reaches the other process in
 * under 1 s at p95. Usage writes (batched, off the request path) are reported beside.
 *
 *   node bench/api-keys/auth.bench.ts
 */
const ITERATIONS = 2000;
const COLD = 200;
const REVOCATIONS = 20;
const log = (line: string) => process.stdout.write(`${line}\n`);
const summary = (xs: number[]) => ({
  p50: +percentile(xs, 50).toFixed(3),
  p95: +percentile(xs, 95).toFixed(3),
});

/** Counts statements on the runtime role's pool: those on the request path (key lookup, rate-limit reservation)
 * and the rest (batched usage writes, off the request path). */
function countStatements(pool: pg.Pool): { onPath(): number; offPath(): number } {
  const seen = new WeakSet<pg.PoolClient>();
  let on = 0;
  let off = 0;
  pool.on('acquire', (client) => {
    if (seen.has(client)) return;
    seen.add(client);
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
      const q = a[0] as { text?: string } | string;
      const text = typeof q === 'string' ? q : (q.text ?? '');
      if (/auth_find_api_key|rate_limits/.test(text)) on++;
      else off++;
      return query(...a);
    };
  });
  return { onPath: () => on, offPath: () => off };
}

async function main(): Promise<boolean> {
  const { database, cleanup } = await openBenchDatabase('keys');
  const masterKey = randomBytes(32);
  const stops: (() => Promise<void>)[] = [];
  try {
    const parsed = parseConfig({
      LOG_LEVEL: 'silent',
      PORT: '0',
      SPRINTCONNECT_ROLE: 'api',
      SPRINTCONNECT_API_KEY_RATE_LIMIT: '1000000',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const { orgId } = await ensureDefaultOrg(database.adminDb);
    const a = await compose({ config: parsed.config, database, masterKey });
    stops.push(() => a.stop());
    const adminPool = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    const second = connectApp({ adminPool, adminUrl: database.adminUrl, appUrl: database.appUrl });
    const b = await compose({ config: parsed.config, database: second, masterKey });
    stops.push(async () => {
      await b.stop();
      await second.close();
    });
    await Promise.all([a.apiKeys.keys.listening, b.apiKeys.keys.listening]);
    const system = { type: 'system' as const, id: 'bench', orgId };
    // The cold path needs more keys than the default api_keys quota (100): the admin override, as an org would.
    await a.quotas.service.set(system, 'api_keys', COLD + 10);
    const newKey = async (sc: SprintConnect) =>
      (await sc.apiKeys.keys.create(system, { name: 'k', scopes: ['read'] })).token;
    const hit = async (sc: SprintConnect, token: string) => {
      const t0 = performance.now();
      const res = await sc.app!.inject({
        method: 'GET',
        url: '/v1/bench',
        headers: { authorization: `Bearer ${token}` },
      });
      return { ms: performance.now() - t0, status: res.statusCode };
    };

    // Warm path.
    const statements = countStatements(database.appPool);
    const warmKey = await newKey(a);
    for (let i = 0; i < 100; i++) await hit(a, warmKey);
    const onBefore = statements.onPath();
    const offBefore = statements.offPath();
    const warm: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) warm.push((await hit(a, warmKey)).ms);
    const perRequest = (statements.onPath() - onBefore) / ITERATIONS;
    const usagePerRequest = (statements.offPath() - offBefore) / ITERATIONS;

    // Cold path: every request with a key this process has not seen.
    const keys: string[] = [];
    for (let i = 0; i < COLD; i++) keys.push(await newKey(a));
    const cold: number[] = [];
    for (const k of keys) cold.push((await hit(a, k)).ms);

    // The alternative: one shared-counter upsert per request.
    const store = postgresCounterStore({
      pool: database.appPool,
      points: 1_000_000,
      windowSeconds: 60,
      keyPrefix: 'bench',
    });
    const upsert: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = performance.now();
      await store.add('one', 1);
      upsert.push(performance.now() - t0);
    }

    // Revocation from A seen by B.
    const propagation: number[] = [];
    for (let i = 0; i < REVOCATIONS; i++) {
      const { id, token } = await a.apiKeys.keys.create(system, { name: 'r', scopes: ['read'] });
      await hit(b, token);
      await a.apiKeys.keys.revoke(system, id, new Date());
      const t0 = performance.now();
      while ((await hit(b, token)).status !== 401) await new Promise((r) => setTimeout(r, 1));
      propagation.push(performance.now() - t0);
    }

    const result = {
      bench: 'api-keys',
      warmMs: summary(warm),
      coldMs: summary(cold),
      statementsPerWarmRequest: +perRequest.toFixed(4),
      usageStatementsPerRequest: +usagePerRequest.toFixed(4),
      rateLimitUpsertMs: summary(upsert),
      revocationPropagationMs: summary(propagation),
    };
    const pass =
      perRequest <= 0.025 &&
      result.warmMs.p95 < result.coldMs.p95 &&
      result.revocationPropagationMs.p95 < 1000;
    log(
      `warm request      p50 ${result.warmMs.p50} ms  p95 ${result.warmMs.p95} ms  (${result.statementsPerWarmRequest} statements/request on the request path, ${result.usageStatementsPerRequest} off it for usage)`,
    );
    log(`cold request      p50 ${result.coldMs.p50} ms  p95 ${result.coldMs.p95} ms`);
    log(
      `rate-limit upsert p50 ${result.rateLimitUpsertMs.p50} ms  p95 ${result.rateLimitUpsertMs.p95} ms  (the per-request alternative)`,
    );
    log(
      `revocation seen by the other process after p50 ${result.revocationPropagationMs.p50} ms  p95 ${result.revocationPropagationMs.p95} ms`,
    );
    log(
      `targets: <= 0.025 statements per warm request, warm p95 < cold p95, revocation p95 < 1000 ms -> ${pass ? 'PASS' : 'FAIL'}`,
    );
    log(JSON.stringify({ ...result, pass }));
    return pass;
  } finally {
    for (const stop of stops.reverse()) await stop();
    await cleanup();
  }
}

runBench(main);
