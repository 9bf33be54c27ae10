import { randomBytes, randomUUID } from 'node:crypto';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import type { App } from '../../apps/server/src/http/index.ts';
import { compose } from '../../apps/server/src/main.ts';
import type { Authorizer } from '../../apps/server/src/modules/authz/index.ts';
import { compileOrgPolicySet, createDecisionPoint } from '../../apps/server/src/modules/policy/index.ts';
import { BUILT_IN_ROLES } from '../../apps/server/src/modules/rbac/index.ts';
import { nameWords } from '../../apps/server/src/modules/search/index.ts';
import { ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import { openBenchDatabase, percentile, runBench } from '../lib.ts';
import { DOMAINS, domainsOf, seedCatalog } from '../search/catalog.ts';

/**
 * Policy-filtered capability search (ADR 0020) over the search bench's catalog (10k servers x 25
 * capabilities), through the whole HTTP stack in-process, with filtering on and off in one run:
 *
 * - on: an API key scoped to `search:query` only (no `servers:production`: production is hidden), under org
 *   policies that forbid a capability name (`delete_secret`, on ~2% of the servers: withheld, ADR 0036) and
 *   restrict servers tagged `team-3` to business hours in the org's time zone;
 * - off: an admin key, which the same org policies exempt, so its residual leaves nothing to filter.
 *
 * Then one authorization decision with the built-in policy set (an engineer reading a server), p50/p95.
 * Targets: filtered search p95 within 1.5x of unfiltered for each kind of search; a decision under 0.5 ms p95.
 *
 *   node bench/policy/policy.bench.ts            embedded PostgreSQL in a temporary directory
 *   DATABASE_URL=postgres://... node bench/...   a scratch database on that server, dropped afterwards
 */
const SERVERS = 10_000;
const PER_SERVER = 25;
const WARMUP = 30;
const ITERATIONS = 200;
const DECISION_WARMUP = 2_000;
const DECISIONS = 20_000;
const TARGET_RATIO = 1.5;
const TARGET_DECISION_P95_MS = 0.5;
const DEADLINE_MS = 15 * 60_000;

const deadline = setTimeout(() => {
  process.stderr.write(`policy bench: gave up after ${DEADLINE_MS / 60_000} minutes\n`);
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();

const log = (line: string) => process.stdout.write(`${line}\n`);
const NS = 'SprintConnect';
const EXEMPT = `principal is ${NS}::ApiKey && principal.scopes.contains("admin")`;
const ORG_POLICIES: Record<string, string> = {
  'no-delete-secret': `forbid (principal, action, resource is ${NS}::Capability)
    when { resource.name == "delete_secret" } unless { ${EXEMPT} };`,
  'team-3-business-hours': `forbid (principal, action, resource is ${NS}::Server)
    when { resource.tags.contains("team-3") && (context.time.hour < 9 || context.time.hour >= 17) }
    unless { ${EXEMPT} };`,
};

const typo = (w: string) => w.slice(0, -2) + w.slice(-1);
const LONG_DOMAINS = DOMAINS.filter((d) => d.length >= 6);
type Kind = 'exact' | 'fuzzy' | 'twoCapabilities' | 'commonWord';
const KINDS: readonly Kind[] = ['exact', 'fuzzy', 'twoCapabilities', 'commonWord'];
// Words only descriptions hold, each on every server (see catalog.ts): searched in tiers, counted to 1,000.
const DESCRIPTION_WORDS = ['upstream', 'status', 'newest', 'json', 'records'];
/**
 * Measured and reported, but outside the target: filtered, counting a common word's 1,000 servers looks each
 * one up for the server policy (unfiltered, the word index alone counts them: ADR 0030, amended), a cost that
 * grows with the count, not with the page. What the target would catch here is the probing of servers for a
 * capability the caller may see (ADR 0036), which stays within it when the withheld names are known.
 */
const OUTSIDE_TARGET: readonly Kind[] = ['commonWord'];
type Mode = 'off' | 'on';

function url(kind: Kind, n: number): string {
  const i = 1 + ((n * 7919) % SERVERS);
  switch (kind) {
    case 'exact':
      return `/v1/discovery/servers?capability=${DOMAINS[n % DOMAINS.length]}`;
    case 'fuzzy':
      return `/v1/discovery/servers?capability=${typo(LONG_DOMAINS[n % LONG_DOMAINS.length]!)}&fuzzy=true`;
    case 'twoCapabilities':
      return `/v1/discovery/servers?capability=${domainsOf(i)
        .map((d) => DOMAINS[d])
        .join(',')}`;
    case 'commonWord':
      // With a capability withheld (ADR 0036), a server found by a description word is probed for one it may see.
      return `/v1/discovery/servers?capability=${DESCRIPTION_WORDS[n % DESCRIPTION_WORDS.length]}`;
  }
}

interface Stats {
  p50: number;
  p95: number;
  meanTotal: number;
}

/** One request at a time; the kinds and both modes interleaved so that noise falls on all alike. */
async function measureSearch(app: App, keys: Record<Mode, string>) {
  const samples = new Map<string, { ms: number[]; total: number[] }>();
  for (let n = 0; n < WARMUP + ITERATIONS; n++) {
    for (const kind of KINDS) {
      for (const mode of ['off', 'on'] as const) {
        const target = url(kind, n);
        const start = performance.now();
        const res = await app.inject({
          method: 'GET',
          url: target,
          headers: { authorization: `Bearer ${keys[mode]}` },
        });
        const ms = performance.now() - start;
        if (res.statusCode !== 200) throw new Error(`${target} answered ${res.statusCode}: ${res.body}`);
        if (res.headers['sc-policy-filter'] !== 'query') {
          throw new Error(
            `${mode}: expected the policy in the query, got ${String(res.headers['sc-policy-filter'])}`,
          );
        }
        if (n < WARMUP) continue;
        const key = `${kind}/${mode}`;
        const s = samples.get(key) ?? { ms: [], total: [] };
        s.ms.push(ms);
        s.total.push((res.json() as { total: number }).total);
        samples.set(key, s);
      }
    }
  }
  const stats: Record<string, Stats> = {};
  for (const [key, s] of samples) {
    stats[key] = {
      p50: percentile(s.ms, 50),
      p95: percentile(s.ms, 95),
      meanTotal: s.total.reduce((a, b) => a + b, 0) / s.total.length,
    };
  }
  return stats;
}

type Dist = { p50: number; p95: number; p99: number };

/**
 * One authorization decision with the built-in policy set: an engineer reading a (staging) server. `cold`
 * asks about a different server every time, so every decision is a Cedar evaluation (the target applies to
 * it); `repeated` asks the same question again, which the PDP's decision memo answers.
 *
 * A decision takes a fraction of a millisecond, so a pause of the shared host during one stretch moves a
 * percentile a lot (single runs here measured cold p95 anywhere from 0.37 to 0.64 ms). Each kind is measured
 * in ROUNDS stretches and the round with the median p95 is reported, with the spread of the rounds beside it.
 */
const ROUNDS = 5;

function measureDecision(authz: Authorizer): { cold: Rounds; repeated: Rounds } {
  const server = { name: 'payments', environment: 'staging', tags: ['team-1', 'public'] };
  const run = (fresh: boolean): Dist => {
    const fixed = { type: 'server', orgId: authz.principal.orgId, id: randomUUID(), server };
    const ms: number[] = [];
    for (let i = 0; i < DECISION_WARMUP + DECISIONS / ROUNDS; i++) {
      const resource = fresh ? { ...fixed, id: randomUUID() } : fixed;
      const start = performance.now();
      const d = authz.decide('servers:read', resource);
      const took = performance.now() - start;
      if (!d.allowed) throw new Error(`the decision was a deny: ${d.reason}`);
      if (i >= DECISION_WARMUP) ms.push(took);
    }
    return { p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
  };
  const rounds = (fresh: boolean): Rounds => {
    const all = Array.from({ length: ROUNDS }, () => run(fresh)).sort((a, b) => a.p95 - b.p95);
    return { ...all[Math.floor(ROUNDS / 2)]!, p95Range: [all[0]!.p95, all.at(-1)!.p95] };
  };
  return { cold: rounds(true), repeated: rounds(false) };
}

type Rounds = Dist & { p95Range: [number, number] };

async function main(): Promise<boolean> {
  const t0 = performance.now();
  const decisionOrg = randomUUID();
  // One decision first, before any database exists: it is pure CPU, and measured while Postgres creates,
  // checkpoints or vacuums a database on the same two cores it mostly measures that.
  // The built-in policy set: system policies and the five built-in roles, no org policies.
  // A decision point of its own, as the app builds one at start (ADR 0029).
  const decisions = createDecisionPoint();
  const set = compileOrgPolicySet(decisions.pdp.engine, {
    orgId: decisionOrg,
    timeZone: 'UTC',
    roles: BUILT_IN_ROLES.map((r) => ({
      name: r.name,
      extendsName: r.extends,
      permissions: r.permissions,
    })),
    policies: [],
  });
  if (!set.ok) throw new Error(`the built-in policy set does not compile: ${JSON.stringify(set.problems)}`);
  const engineer = decisions.authorizer(
    {
      kind: 'user',
      id: randomUUID(),
      orgId: decisionOrg,
      name: 'engineer',
      scopes: [],
      roles: ['engineer'],
      authMethod: 'session',
    },
    { set: set.handle, at: new Date() },
  );
  const decision = measureDecision(engineer);
  const { database, cleanup } = await openBenchDatabase('policy');
  try {
    const parsed = parseConfig({
      LOG_LEVEL: 'silent',
      PORT: '0',
      SPRINTCONNECT_ROLE: 'api',
      SPRINTCONNECT_API_KEY_RATE_LIMIT: '1000000',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const { orgId } = await ensureDefaultOrg(database.adminDb);
    const seedStart = performance.now();
    await seedCatalog(
      database.adminPool,
      orgId,
      { servers: SERVERS, capabilitiesPerServer: PER_SERVER },
      nameWords,
    );
    await database.adminPool.query(`UPDATE orgs SET time_zone = 'Europe/Berlin' WHERE id = $1`, [orgId]);
    for (const [name, body] of Object.entries(ORG_POLICIES)) {
      await database.adminPool.query(
        'INSERT INTO policies (org_id, id, name, body) VALUES ($1, $2, $3, $4)',
        [orgId, randomUUID(), name, body],
      );
    }
    log(
      `seeded ${SERVERS} servers x ${PER_SERVER} capabilities and 2 org policies in ${Math.round(performance.now() - seedStart)} ms`,
    );
    const sc = await compose({ config: parsed.config, database, masterKey: randomBytes(32) });
    try {
      const boot = await sc.apiKeys.keys.bootstrap(database.adminDb, orgId, undefined);
      const system = { type: 'system' as const, id: 'bench', orgId };
      const restricted = await sc.apiKeys.keys.create(system, {
        name: 'search only',
        scopes: ['search:query'],
      });
      const search = await measureSearch(sc.app!, { off: boot!.token, on: restricted.token });
      const filterStats = sc.policy.decisions.filter.stats();

      return report(search, decision, filterStats, Math.round(performance.now() - t0));
    } finally {
      await sc.stop();
    }
  } finally {
    await cleanup();
  }
}

function report(
  search: Record<string, Stats>,
  decisions: { cold: Rounds; repeated: Rounds },
  filterStats: { residuals: number; residualHits: number; decisions: number },
  totalMs: number,
): boolean {
  const cell = (n: number) => n.toFixed(2).padStart(9);
  const ratios = Object.fromEntries(KINDS.map((k) => [k, search[`${k}/on`]!.p95 / search[`${k}/off`]!.p95]));
  const searchPass = KINDS.filter((k) => !OUTSIDE_TARGET.includes(k)).every(
    (k) => ratios[k]! <= TARGET_RATIO,
  );
  const decision = decisions.cold;
  const decisionPass = decision.p95 <= TARGET_DECISION_P95_MS;
  log('');
  log(`${'search'.padEnd(22)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}  on/off p95  servers found`);
  for (const k of KINDS) {
    for (const mode of ['off', 'on'] as const) {
      const s = search[`${k}/${mode}`]!;
      const ratio = mode === 'on' ? `${ratios[k]!.toFixed(2)}x` : '';
      const note = mode === 'on' && OUTSIDE_TARGET.includes(k) ? '  (outside the target)' : '';
      log(
        `${`${k} (${mode})`.padEnd(22)}${cell(s.p50)}${cell(s.p95)}  ${ratio.padStart(10)}  ${s.meanTotal.toFixed(1)}${note}`,
      );
    }
  }
  log(
    `residuals computed ${filterStats.residuals}, reused ${filterStats.residualHits}; per-server decisions ${filterStats.decisions}`,
  );
  log(`target: filtered search p95 <= ${TARGET_RATIO}x unfiltered -> ${searchPass ? 'PASS' : 'FAIL'}`);
  log(
    `one decision (built-in set): p50 ${decision.p50.toFixed(3)} ms, p95 ${decision.p95.toFixed(3)} ms, ` +
      `p99 ${decision.p99.toFixed(3)} ms (median of ${ROUNDS} rounds; their p95 ${decision.p95Range[0].toFixed(3)}-${decision.p95Range[1].toFixed(3)} ms); ` +
      `target p95 <= ${TARGET_DECISION_P95_MS} ms -> ${decisionPass ? 'PASS' : 'FAIL'}`,
  );
  log(
    `the same decision again (answered by the decision memo): p50 ${decisions.repeated.p50.toFixed(3)} ms, ` +
      `p95 ${decisions.repeated.p95.toFixed(3)} ms`,
  );
  const pass = searchPass && decisionPass;
  log(
    JSON.stringify({
      bench: 'policy',
      servers: SERVERS,
      capabilities: SERVERS * PER_SERVER,
      iterations: ITERATIONS,
      search,
      p95RatioOnToOff: ratios,
      decisionMs: decisions,
      decisions: DECISIONS,
      targets: { ratio: TARGET_RATIO, decisionP95Ms: TARGET_DECISION_P95_MS },
      outsideTarget: OUTSIDE_TARGET,
      pass,
      totalMs,
    }),
  );
  return pass;
}

runBench(main);
