import { createHash, randomBytes } from 'node:crypto';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import type { App } from '../../apps/server/src/http/index.ts';
import { compose } from '../../apps/server/src/main.ts';
import { nameWords } from '../../apps/server/src/modules/search/index.ts';
import { ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import { openBenchDatabase, percentile, runBench } from '../lib.ts';
import { DOMAINS, domainsOf, seedCatalog } from './catalog.ts';

/**
 * Capability search over a catalog of 10k servers with 25 capabilities each (see catalog.ts), through the
 * whole HTTP stack in-process (auth, validation, tenant transaction, serialization), against
 * `GET /v1/servers/{id}` measured the same way. Target: each search's p95 within 3x the by-id read's p95 (one
 * word, a full name, a word with a description word, a typo: ~200 servers each; two capabilities: ~2; a word in
 * a description of every server: 10k, counted up to 1,000), except a word in the names of every server.
 *
 *   node bench/search/search.bench.ts            embedded PostgreSQL in a temporary directory
 *   DATABASE_URL=postgres://... node bench/...   a scratch database on that server, dropped afterwards
 */
const SERVERS = 10_000;
const PER_SERVER = 25;
const WARMUP = 50;
const ITERATIONS = 300;
const TARGET_RATIO = 3;
const DEADLINE_MS = 10 * 60_000;

const deadline = setTimeout(() => {
  process.stderr.write(`search bench: gave up after ${DEADLINE_MS / 60_000} minutes\n`);
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Server i's id as the seeder derives it: `md5('sc-seed-server-' || i)::uuid`. */
function seededServerId(i: number): string {
  const h = createHash('md5').update(`sc-seed-server-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// A plausible typo: drop the second-to-last letter (`weather` -> `weathr`).
const typo = (w: string) => w.slice(0, -2) + w.slice(-1);
const LONG_DOMAINS = DOMAINS.filter((d) => d.length >= 6);

type Kind =
  | 'exact'
  | 'name'
  | 'description'
  | 'commonWord'
  | 'commonNameWord'
  | 'fuzzy'
  | 'twoCapabilities'
  | 'byId';
const KINDS: readonly Kind[] = [
  'exact',
  'name',
  'description',
  'commonWord',
  'commonNameWord',
  'fuzzy',
  'twoCapabilities',
  'byId',
];
// Words only descriptions hold, each on every server (see catalog.ts).
const DESCRIPTION_WORDS = ['upstream', 'status', 'newest', 'json', 'records'];
// Words of names, each in a name of every server (the domain tools: get_current_weather, weather.sync...).
const NAME_WORDS = ['get', 'list', 'create', 'search', 'sync'];
/**
 * Measured and reported, but outside the target: a word in the names of every server ranks each of the 10k
 * servers by its names (0.6 + 0.35/words of the name), so its cost grows with the org, not with the page. A
 * word only descriptions hold on every server (commonWord) gives them all one score, read a page at a time
 * (ADR 0030, amended); names would need their scores kept per server and word for the same.
 */
const OUTSIDE_TARGET: readonly Kind[] = ['commonNameWord'];

/** Request n of a kind: the terms rotate over the domains, the ids over the servers. */
function url(kind: Kind, n: number): string {
  const i = 1 + ((n * 7919) % SERVERS);
  switch (kind) {
    case 'exact':
      // One word: names holding it, then descriptions (issue 10, point 3).
      return `/v1/discovery/servers?capability=${DOMAINS[n % DOMAINS.length]}`;
    case 'name':
      return `/v1/discovery/servers?capability=get_current_${DOMAINS[n % DOMAINS.length]}`;
    case 'description':
      // A word of the name and one only the description holds: `weather upstream` finds `weather.sync`.
      return `/v1/discovery/servers?capability=${DOMAINS[n % DOMAINS.length]}%20${DESCRIPTION_WORDS[n % 5]}`;
    case 'commonWord':
      return `/v1/discovery/servers?capability=${DESCRIPTION_WORDS[n % 5]}`;
    case 'commonNameWord':
      return `/v1/discovery/servers?capability=${NAME_WORDS[n % 5]}`;
    case 'fuzzy':
      return `/v1/discovery/servers?capability=${typo(LONG_DOMAINS[n % LONG_DOMAINS.length]!)}&fuzzy=true`;
    case 'twoCapabilities':
      // Server i's own two domains, so every such search has an answer.
      return `/v1/discovery/servers?capability=${domainsOf(i)
        .map((d) => DOMAINS[d])
        .join(',')}`;
    case 'byId':
      return `/v1/servers/${seededServerId(i)}`;
  }
}

interface Stats {
  p50: number;
  p95: number;
  meanServersFound: number;
  /** Whether some answer's total was a lower bound (`totalIsLowerBound`: more than 1,000 found). */
  atLeast: boolean;
}

/** One request at a time, the kinds interleaved so that noise on the machine falls on all of them alike. */
async function measure(app: App, headers: Record<string, string>): Promise<Record<Kind, Stats>> {
  const samples = new Map<Kind, { ms: number[]; found: number[]; atLeast: boolean }>(
    KINDS.map((k) => [k, { ms: [], found: [], atLeast: false }]),
  );
  for (let n = 0; n < WARMUP + ITERATIONS; n++) {
    for (const kind of KINDS) {
      const target = url(kind, n);
      const start = performance.now();
      const res = await app.inject({ method: 'GET', url: target, headers });
      const ms = performance.now() - start;
      if (res.statusCode !== 200) throw new Error(`${target} answered ${res.statusCode}: ${res.body}`);
      if (n < WARMUP) continue;
      samples.get(kind)!.ms.push(ms);
      const body = res.json() as { total?: number; totalIsLowerBound?: true };
      samples.get(kind)!.found.push(kind === 'byId' ? 1 : body.total!);
      if (kind !== 'byId' && body.totalIsLowerBound) samples.get(kind)!.atLeast = true;
    }
  }
  const stats = {} as Record<Kind, Stats>;
  for (const [kind, s] of samples) {
    const sorted = [...s.ms].sort((a, b) => a - b);
    const meanServersFound = s.found.reduce((a, b) => a + b, 0) / s.found.length;
    stats[kind] = {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      meanServersFound,
      atLeast: s.atLeast,
    };
  }
  return stats;
}

function report(stats: Record<Kind, Stats>, totalMs: number): boolean {
  const byId = stats.byId.p95;
  const searches = KINDS.filter((k) => k !== 'byId');
  const pass = searches
    .filter((k) => !OUTSIDE_TARGET.includes(k))
    .every((k) => stats[k].p95 <= TARGET_RATIO * byId);
  const cell = (n: number) => n.toFixed(2).padStart(8);
  log('');
  log(`${'request'.padEnd(16)}${'p50 ms'.padStart(8)}${'p95 ms'.padStart(8)}  p95/byId  servers found`);
  for (const k of KINDS) {
    const ratio = k === 'byId' ? '' : `${(stats[k].p95 / byId).toFixed(2)}x`;
    const found = `${stats[k].meanServersFound.toFixed(1)}${stats[k].atLeast ? '+' : ''}`;
    const note = OUTSIDE_TARGET.includes(k) ? '  (outside the target)' : '';
    log(`${k.padEnd(16)}${cell(stats[k].p50)}${cell(stats[k].p95)}  ${ratio.padStart(8)}  ${found}${note}`);
  }
  log(`target: every search in it p95 <= ${TARGET_RATIO}x byId p95 -> ${pass ? 'PASS' : 'FAIL'}`);
  log(
    JSON.stringify({
      bench: 'search',
      servers: SERVERS,
      capabilities: SERVERS * PER_SERVER,
      iterations: ITERATIONS,
      ms: stats,
      p95RatioToById: Object.fromEntries(searches.map((k) => [k, stats[k].p95 / byId])),
      target: TARGET_RATIO,
      outsideTarget: OUTSIDE_TARGET,
      pass,
      totalMs,
    }),
  );
  return pass;
}

async function main(): Promise<boolean> {
  const t0 = performance.now();
  const { database, cleanup } = await openBenchDatabase('search');
  try {
    const parsed = parseConfig({
      LOG_LEVEL: 'silent',
      PORT: '0',
      SPRINTCONNECT_ROLE: 'api',
      // The bench sends thousands of requests with one key; the per-key limit is not what it measures.
      SPRINTCONNECT_API_KEY_RATE_LIMIT: '1000000',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const { orgId } = await ensureDefaultOrg(database.adminDb);
    const seedStart = performance.now();
    const size = { servers: SERVERS, capabilitiesPerServer: PER_SERVER };
    await seedCatalog(database.adminPool, orgId, size, nameWords);
    const seedMs = Math.round(performance.now() - seedStart);
    log(`seeded ${SERVERS} servers x ${PER_SERVER} capabilities in ${seedMs} ms`);
    const sc = await compose({ config: parsed.config, database, masterKey: randomBytes(32) });
    try {
      const boot = await sc.apiKeys.keys.bootstrap(database.adminDb, orgId, undefined);
      const stats = await measure(sc.app!, { authorization: `Bearer ${boot!.token}` });
      return report(stats, Math.round(performance.now() - t0));
    } finally {
      await sc.stop();
    }
  } finally {
    await cleanup();
  }
}

runBench(main);
