import type pg from 'pg';
import { isUuid, orgScopedKey } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { listen, withTenant } from '../../platform/db/index.ts';
import type {
  CheckUrlResult,
  Egress,
  EgressFailure,
  FetchFunction,
  OrgEgressRules,
  RequestFunction,
  ScopedEgress,
} from '../../platform/egress/index.ts';
import { DENY_ALL_ORG_RULES, parseOrgEgressRules } from '../../platform/egress/index.ts';
import type { Metrics } from '../../platform/metrics/index.ts';
import type { LeaseLimiter } from '../../platform/ratelimit/index.ts';
import { createLeaseLimiter, postgresCounterStore } from '../../platform/ratelimit/index.ts';
import { EGRESS_POLICY_CHANNEL, findEgressPolicy } from './egress-policy.repo.ts';

/** An org's rules as this process knows them. */
export interface LoadedPolicy {
  readonly version: number;
  readonly rules: OrgEgressRules;
  readonly rateLimitPerMinute: number;
}

/** Egress on behalf of one org: every outbound call made for an org goes through this. */
export interface OrgScopedEgress {
  readonly fetch: FetchFunction;
  /** The lean door (`undici.request`, same rules and dispatcher, no redirects followed). */
  readonly request: RequestFunction;
  checkUrl(url: string): Promise<CheckUrlResult>;
}

/**
 * Why the org's requests go out. `discovery` (the default: discovery, probes, sign-in metadata) counts against
 * the org's outbound rate limit; `proxy` (the MCP gateway relaying a caller's call, ADR 0040) keeps the org's
 * rules but not that limit: each proxied call was already admitted by the caller's and the org's own limits.
 */
export type EgressPurpose = 'discovery' | 'proxy';

export interface OrgEgress {
  forOrg(orgId: string, purpose?: EgressPurpose): OrgScopedEgress;
  /** The rules this process applies to the org now (cached). */
  policy(orgId: string): Promise<LoadedPolicy>;
  /** Drop this process's cached rules for the org (the notification will also arrive). */
  invalidate(orgId: string): void;
  /** Resolves once the LISTEN connection is up (tests wait for it before counting on invalidation). */
  readonly listening: Promise<void>;
  close(): Promise<void>;
}

const WINDOW_SECONDS = 60;
const MAX_ORGS = 1000;
/** A replaced scope keeps serving the requests that already hold it (a redirect chain) for this long. */
const RETIRE_MS = 60_000;

/**
 * Org-scoped egress with the org's rules cached per process (ADR 0014). A rule change is announced over
 * LISTEN/NOTIFY and drops the cached rules everywhere; while the LISTEN connection is down nothing is cached
 * (every call reads the database: slower, never stale). Each rules version gets its own scope (and connection
 * pool), so connections opened under old rules are never reused under new ones. The outbound rate limit is
 * one counter per org in Postgres, shared by every process. Decisions are counted per org, decision and rule.
 */
export function createOrgEgress(deps: {
  db: Db;
  egress: Egress;
  listenUrl: string;
  /** Pool for the shared rate-limit counters. */
  counterPool: pg.Pool;
  /** Requests per minute for an org without its own limit, and the most an org may set. */
  defaultRateLimit: number;
  metrics: Metrics;
}): OrgEgress {
  const requests = deps.metrics.counter({
    name: 'sprintconnect_egress_requests_total',
    help: 'Outbound requests made on behalf of an org, by decision (allowed, denied, rate_limited) and rule.',
    labelNames: ['org', 'decision', 'rule'] as const,
  });
  const store = postgresCounterStore({
    pool: deps.counterPool,
    points: 1_000_000,
    windowSeconds: WINDOW_SECONDS,
    keyPrefix: 'egress',
  });
  const limiters = new Map<number, LeaseLimiter>();
  const limiterFor = (limit: number): LeaseLimiter => {
    let l = limiters.get(limit);
    if (l === undefined) {
      l = createLeaseLimiter({ limit, windowSeconds: WINDOW_SECONDS, store });
      limiters.set(limit, l);
    }
    return l;
  };

  let enabled = false;
  const policies = new Map<string, LoadedPolicy>();
  const generations = new Map<string, number>();
  let epoch = 0;
  const scopes = new Map<string, { version: number; scope: ScopedEgress }>();
  const retired = new Set<ScopedEgress>();

  const generation = (orgId: string) => `${epoch}:${generations.get(orgId) ?? 0}`;
  const invalidate = (orgId: string) => {
    generations.set(orgId, (generations.get(orgId) ?? 0) + 1);
    policies.delete(orgId);
  };
  const clear = () => {
    epoch++;
    policies.clear();
  };

  let markListening: () => void = () => undefined;
  const listening = new Promise<void>((r) => {
    markListening = r;
  });
  const listener = listen({
    connectionString: deps.listenUrl,
    channel: EGRESS_POLICY_CHANNEL,
    onMessage: (orgId) => (isUuid(orgId) ? invalidate(orgId) : clear()),
    onConnected: () => {
      clear();
      enabled = true;
      markListening();
    },
    onDisconnected: () => {
      enabled = false;
      clear();
    },
  });

  async function load(orgId: string): Promise<LoadedPolicy> {
    const row = await withTenant(deps.db, orgId, (tx) => findEgressPolicy(tx, orgId));
    const limit = Math.min(row?.rateLimitPerMinute ?? deps.defaultRateLimit, deps.defaultRateLimit);
    if (row === undefined) {
      return { version: 0, rules: parseOrDenyAll({}), rateLimitPerMinute: limit };
    }
    return {
      version: row.version,
      rules: parseOrDenyAll({ allow: row.allow, deny: row.deny, deniedPorts: row.deniedPorts }),
      rateLimitPerMinute: limit,
    };
  }

  async function policy(orgId: string): Promise<LoadedPolicy> {
    const hit = enabled ? policies.get(orgId) : undefined;
    if (hit !== undefined) return hit;
    const before = generation(orgId);
    const loaded = await load(orgId);
    // A load that raced with an invalidation is used once but not cached: the next call reads again.
    if (enabled && generation(orgId) === before) {
      if (policies.size >= MAX_ORGS) policies.delete(policies.keys().next().value!);
      policies.set(orgId, loaded);
    }
    return loaded;
  }

  function retire(scope: ScopedEgress): void {
    retired.add(scope);
    setTimeout(() => {
      retired.delete(scope);
      void scope.close();
    }, RETIRE_MS).unref();
  }

  function scopeFor(orgId: string, p: LoadedPolicy, purpose: EgressPurpose): ScopedEgress {
    // One scope (and pool) per org and purpose: the same rules, with or without the outbound limit.
    const key = `${purpose}|${orgId}`;
    const current = scopes.get(key);
    // Newer rules than the ones just read (a racing load) are never replaced by older ones.
    if (current !== undefined && current.version >= p.version) return current.scope;
    const scope = deps.egress.scoped({
      rules: p.rules,
      admit: purpose === 'proxy' ? async () => undefined : () => admit(orgId),
      onDecision: (d) => requests.inc({ org: orgId, decision: d.decision, rule: d.rule }),
    });
    if (current !== undefined) retire(current.scope);
    scopes.delete(key);
    if (scopes.size >= MAX_ORGS) {
      const [oldest, entry] = scopes.entries().next().value!;
      scopes.delete(oldest);
      retire(entry.scope);
    }
    scopes.set(key, { version: p.version, scope });
    return scope;
  }

  async function admit(orgId: string): Promise<EgressFailure | undefined> {
    const { rateLimitPerMinute: limit } = await policy(orgId);
    const a = await limiterFor(limit).admit(orgScopedKey(orgId, 'egress'));
    if (a.allowed) return undefined;
    return {
      ok: false,
      code: 'egress_rate_limited',
      detail: `the org's outbound rate limit of ${limit} requests per minute is reached; retry in ${a.resetSeconds} s`,
      rule: 'rate_limit',
      retryAfterSeconds: a.resetSeconds,
    };
  }

  const current = async (orgId: string, purpose: EgressPurpose) =>
    scopeFor(orgId, await policy(orgId), purpose);

  return {
    forOrg(orgId, purpose = 'discovery') {
      return {
        fetch: async (input, init) => (await current(orgId, purpose)).fetch(input, init),
        request: async (url, options) => (await current(orgId, purpose)).request(url, options),
        checkUrl: async (url) => (await current(orgId, purpose)).checkUrl(url),
      };
    },
    policy,
    invalidate,
    listening,
    async close() {
      enabled = false;
      await listener.close();
      const all = [...[...scopes.values()].map((s) => s.scope), ...retired];
      scopes.clear();
      retired.clear();
      await Promise.all(all.map((s) => s.close().catch(() => undefined)));
    },
  };
}

/** Stored rules were valid when written; if they no longer parse, the org reaches nothing (fail closed). */
function parseOrDenyAll(input: Parameters<typeof parseOrgEgressRules>[0]): OrgEgressRules {
  const parsed = parseOrgEgressRules(input);
  return parsed.ok ? parsed.rules : DENY_ALL_ORG_RULES;
}
