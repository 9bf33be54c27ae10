import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import type pg from 'pg';
import { Agent, request } from 'undici';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import { compose } from '../../apps/server/src/main.ts';
import { ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import { openBenchDatabase, percentile, runBench } from '../lib.ts';

/**
 * What authenticating a request costs, by credential, over real HTTP on 127.0.0.1 (keep-alive, undici), on
 * `GET /v1/servers/{id}` (one row read in a tenant transaction):
 *
 * - (a) an API key (ADR 0008: verified keys cached per process);
 * - (b) a JWT access token from our own authorization server (client_credentials, ES256, keys cached);
 * - (c) a DPoP-bound JWT with a fresh proof per request (one `dpop_proofs_seen` row per proof, by design:
 *   the replay check must be shared by every process; concurrent proofs share one statement, committed
 *   without waiting for the WAL flush, ADR 0017);
 * - (d) `GET /healthz`, no authentication, as the ceiling.
 *
 * Client and server share this process, so proofs are signed (one new jti each, with jose) just before the
 * timed phase and the time that took is reported beside: the throughput is the server's, not the client's.
 * Statements are counted on the runtime role's pool clients (as bench/api-keys does), per request, after
 * warm-up, and split into authentication (key lookup, rate limit, DPoP replay, signing keys, grants) and the rest.
 *
 * Each kind gets 2000 requests, 8 in flight, after 200 of warm-up, in 4 interleaved rounds of 500.
 *
 * Targets: JWT throughput >= 80% of the API key's, DPoP >= 60%.
 *
 *   node bench/auth/auth.bench.ts
 */
const REQUESTS = 2000;
const ROUNDS = 4;
const PER_ROUND = REQUESTS / ROUNDS;
const WARMUP = 200;
const CONCURRENCY = 8;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Statements run by the app role's pool clients, by kind. */
const AUTH_SQL =
  /auth_find_api_key|rate_limits|dpop_proofs_seen|record_dpop_proofs|signing_keys|oauth_|trusted_issuers|string_agg\(kid|grant|role/i;
const USAGE_SQL = /api_key_usage|last_used/i;
function countStatements(pool: pg.Pool) {
  const seen = new WeakSet<pg.PoolClient>();
  const counts = { auth: 0, usage: 0, other: 0 };
  const texts = new Map<string, number>();
  pool.on('acquire', (c) => {
    if (seen.has(c)) return;
    seen.add(c);
    const query = c.query.bind(c) as (...a: unknown[]) => unknown;
    (c as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
      const q = a[0] as { text?: string } | string;
      const text = typeof q === 'string' ? q : (q.text ?? '');
      if (USAGE_SQL.test(text)) counts.usage++;
      else if (AUTH_SQL.test(text)) counts.auth++;
      else counts.other++;
      const short = text.replace(/\s+/g, ' ').slice(0, 70);
      texts.set(short, (texts.get(short) ?? 0) + 1);
      return query(...a);
    };
  });
  return {
    snapshot: () => ({ ...counts }),
    texts: () => new Map(texts),
  };
}

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

interface Kind {
  name: string;
  path: string;
  headers: (i: number) => Record<string, string>;
  /** Made before the timed phase (DPoP proofs); the time is reported. */
  prepare?: (n: number) => Promise<number>;
}

async function main(): Promise<boolean> {
  const { database, cleanup } = await openBenchDatabase('auth');
  const stops: (() => Promise<void>)[] = [];
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const parsed = parseConfig({
      LOG_LEVEL: 'silent',
      PORT: String(port),
      SPRINTCONNECT_ROLE: 'api',
      SPRINTCONNECT_PUBLIC_URL: base,
      SPRINTCONNECT_API_KEY_RATE_LIMIT: '1000000',
      // The org's limit (issue 4) is not what this measures: ~10k requests a minute would hit the default.
      SPRINTCONNECT_ORG_RATE_LIMIT: '1000000',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const { orgId } = await ensureDefaultOrg(database.adminDb);
    const sc = await compose({ config: parsed.config, database, masterKey: randomBytes(32) });
    stops.push(() => sc.stop());
    await sc.apiKeys.keys.listening;
    await sc.app!.listen({ port, host: '127.0.0.1' });
    const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
    stops.push(() => agent.close());
    const system = { type: 'system' as const, id: 'bench', orgId };

    // A server to read, registered by an admin key without discovery.
    const admin = (await sc.apiKeys.keys.create(system, { name: 'admin', scopes: ['admin'] })).token;
    const created = await request(`${base}/v1/servers`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', url: 'https://mcp.bench.example/mcp', autoDiscover: false }),
    });
    const server = (await created.body.json()) as { id: string };
    if (created.statusCode !== 201)
      throw new Error(`register: ${created.statusCode} ${JSON.stringify(server)}`);
    const path = `/v1/servers/${server.id}`;

    // (a) an API key.
    const apiKey = (await sc.apiKeys.keys.create(system, { name: 'reader', scopes: ['read'] })).token;

    // (b) client_credentials from our authorization server; (c) the same, DPoP-bound.
    const oauth = sc.oauth.server!;
    const discover = (id: string, secret: string) =>
      client.discovery(new URL(`${base}/oidc`), id, undefined, client.ClientSecretBasic(secret), {
        execute: [client.allowInsecureRequests],
      });
    const ci = await oauth.registerClient(system, { name: 'ci', scopes: ['read'] });
    await sc.rbac.users.grantAsSystem(system, { type: 'client', id: ci.clientId }, ['viewer']);
    const jwt = (
      await client.clientCredentialsGrant(await discover(ci.clientId, ci.clientSecret), { scope: 'read' })
    ).access_token;
    const ciDpop = await oauth.registerClient(system, { name: 'ci-dpop', scopes: ['read'], dpopBound: true });
    await sc.rbac.users.grantAsSystem(system, { type: 'client', id: ciDpop.clientId }, ['viewer']);
    const dpopConfig = await discover(ciDpop.clientId, ciDpop.clientSecret);
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const bound = await client.clientCredentialsGrant(
      dpopConfig,
      { scope: 'read' },
      { DPoP: client.getDPoPHandle(dpopConfig, keyPair) },
    );
    if (bound.token_type.toLowerCase() !== 'dpop') throw new Error(`not DPoP-bound: ${bound.token_type}`);
    const dpopToken = bound.access_token;
    const publicJwk = await exportJWK(keyPair.publicKey);
    const ath = Buffer.from(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(dpopToken)),
    ).toString('base64url');
    let proofs: string[] = [];
    const makeProofs = async (n: number) => {
      const t0 = performance.now();
      proofs = [];
      for (let i = 0; i < n; i++) {
        proofs.push(
          await new SignJWT({ htm: 'GET', htu: `${base}${path}`, ath, jti: randomUUID() })
            .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk })
            .setIssuedAt()
            .sign(keyPair.privateKey),
        );
      }
      return (performance.now() - t0) / n;
    };

    const kinds: Kind[] = [
      { name: 'api key', path, headers: () => ({ authorization: `Bearer ${apiKey}` }) },
      { name: 'jwt', path, headers: () => ({ authorization: `Bearer ${jwt}` }) },
      {
        name: 'dpop jwt',
        path,
        headers: (i) => ({ authorization: `DPoP ${dpopToken}`, dpop: proofs[i]! }),
        prepare: makeProofs,
      },
      { name: 'healthz', path: '/healthz', headers: () => ({}) },
    ];

    const statements = countStatements(database.appPool);
    const one = async (k: Kind, i: number) => {
      const t0 = performance.now();
      const res = await request(`${base}${k.path}`, { dispatcher: agent, headers: k.headers(i) });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`${k.name}: ${res.statusCode}`);
      return performance.now() - t0;
    };
    const run = async (k: Kind, n: number) => {
      const ms: number[] = [];
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < n; i = next++) ms.push(await one(k, i));
        }),
      );
      return { ms, seconds: (performance.now() - t0) / 1000 };
    };

    // Warm every kind, then measure in interleaved rounds (a b c d a b c d ...) so that drift in the machine's
    // load (other processes on the two cores) falls on every kind alike rather than on whichever ran first.
    for (const k of kinds) {
      await k.prepare?.(WARMUP);
      await run(k, WARMUP);
    }
    const acc = kinds.map(() => ({ ms: [] as number[], seconds: 0, proofMs: 0 }));
    const delta = kinds.map(() => ({ auth: 0, other: 0, usage: 0 }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, k] of kinds.entries()) {
        acc[i]!.proofMs += ((await k.prepare?.(PER_ROUND)) ?? 0) / ROUNDS;
        // Statements of warm requests: all the pool ran while this kind's round was in flight.
        const before = statements.snapshot();
        const { ms, seconds } = await run(k, PER_ROUND);
        const after = statements.snapshot();
        acc[i]!.ms.push(...ms);
        acc[i]!.seconds += seconds;
        for (const c of ['auth', 'other', 'usage'] as const) delta[i]![c] += after[c] - before[c];
      }
    }
    const n = PER_ROUND * ROUNDS;
    const rows = kinds.map((k, i) => ({
      kind: k.name,
      rps: Math.round(n / acc[i]!.seconds),
      p50: +percentile(acc[i]!.ms, 50).toFixed(3),
      p95: +percentile(acc[i]!.ms, 95).toFixed(3),
      authStatements: +(delta[i]!.auth / n).toFixed(3),
      routeStatements: +(delta[i]!.other / n).toFixed(3),
      usageStatements: +(delta[i]!.usage / n).toFixed(3),
      ...(k.prepare === undefined ? {} : { clientProofMs: +acc[i]!.proofMs.toFixed(3) }),
    }));

    const byKind = Object.fromEntries(rows.map((r) => [r.kind, r]));
    const keyRps = byKind['api key']!.rps;
    const jwtRatio = byKind.jwt!.rps / keyRps;
    const dpopRatio = byKind['dpop jwt']!.rps / keyRps;
    const pass = jwtRatio >= 0.8 && dpopRatio >= 0.6;
    log(
      `${'kind'.padEnd(10)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  statements/request: auth  route  usage`,
    );
    for (const r of rows) {
      log(
        `${r.kind.padEnd(10)} ${String(r.rps).padStart(7)} ${r.p50.toFixed(3).padStart(8)} ${r.p95.toFixed(3).padStart(8)}  ${' '.repeat(20)}${r.authStatements.toFixed(3).padStart(5)} ${r.routeStatements.toFixed(3).padStart(6)} ${r.usageStatements.toFixed(3).padStart(6)}`,
      );
    }
    if (process.argv.includes('--verbose'))
      for (const [t, n] of statements.texts()) log(`${String(n).padStart(6)}  ${t}`);
    log(
      `DPoP proofs signed by the client beforehand: ${byKind['dpop jwt']!.clientProofMs} ms each (not in the server's throughput)`,
    );
    log(
      `targets: jwt >= 80% of api key (${(jwtRatio * 100).toFixed(0)}%), dpop >= 60% (${(dpopRatio * 100).toFixed(0)}%) -> ${pass ? 'PASS' : 'FAIL'}`,
    );
    log(
      JSON.stringify({
        bench: 'auth',
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        kinds: rows,
        jwtRatio: +jwtRatio.toFixed(3),
        dpopRatio: +dpopRatio.toFixed(3),
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
