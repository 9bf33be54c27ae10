import { join } from 'node:path';
import { pino } from 'pino';
import type { Config } from './config/index.ts';
import type { App, AppDeps } from './http/index.ts';
import { buildApp, cronRoutes } from './http/index.ts';
import { installSchedules, type ScheduledJob } from './jobs/index.ts';
import type { Actor, Clock } from './kernel/index.ts';
import { systemClock } from './kernel/index.ts';
import type { Permission, PermissionResolver, RolesService, UsersService } from './modules/access/index.ts';
import {
  assertAllowed,
  assertRecentSignIn,
  assertWithinHeld,
  authorize,
  createBuiltInRoles,
  createOrgPoliciesService,
  createPermissionResolver,
  createRolesService,
  createUsersService,
  heldPermissions,
  PERMISSIONS,
  policyRoutes,
  roleRoutes,
  userRoutes,
  withPermissions,
} from './modules/access/index.ts';
import type { DiscoveryService } from './modules/discovery/index.ts';
import {
  createCapabilitiesService,
  createDiscoveryService,
  discoveryRoutes,
} from './modules/discovery/index.ts';
import type { OrgEgress } from './modules/egress-policy/index.ts';
import {
  createEgressPolicyService,
  createOrgEgress,
  egressPolicyRoutes,
} from './modules/egress-policy/index.ts';
import { createIdempotencyStore, IDEMPOTENCY_PURGE_JOB } from './modules/idempotency/index.ts';
import type {
  ApiKeyService,
  Authenticator,
  OAuthServer,
  SignIn,
  TrustedIssuers,
  UsageRecorder,
  VerifyPassword,
} from './modules/identity/index.ts';
import {
  API_KEY_EXPIRY_JOB,
  actorOf,
  announceExpiringKeys,
  apiKeyAuthenticator,
  apiKeyRoutes,
  createAccessTokenAuthenticator,
  createApiKeyManagement,
  createApiKeyService,
  createApiKeyTraffic,
  createAuthAttempts,
  createOAuthServer,
  createSignIn,
  createTrustedIssuers,
  createUsageRecorder,
  localPasswordVerifier,
  meRoutes,
  oauthClientRoutes,
  scopeVocabulary,
  sessionUserVia,
  trustedIssuerRoutes,
} from './modules/identity/index.ts';
import { jobRoutes } from './modules/jobs/index.ts';
import type { QuotaService, UsageMeter } from './modules/quotas/index.ts';
import {
  createBudgetService,
  createOrgTraffic,
  createQuotaService,
  createRateClassThrottle,
  createUsageMeter,
  INVOCATION_CLASSES,
  quotaRoutes,
} from './modules/quotas/index.ts';
import type { RegistryService } from './modules/registry/index.ts';
import { createRegistryService, REDACTABLE_SERVER_FIELDS, serverRoutes } from './modules/registry/index.ts';
import { createSearchService, indexCapabilities, searchRoutes } from './modules/search/index.ts';
import { createSecrets } from './modules/tenancy/index.ts';
import {
  createManifestService,
  createTrustStore,
  manifestRoutes,
  trustStoreRoutes,
} from './modules/trust/index.ts';
import { deriveKey } from './platform/crypto/index.ts';
import type { DatabaseHandle, Tx } from './platform/db/index.ts';
import { grantSchemaAccess, onTenantGuardMiss } from './platform/db/index.ts';
import type { Egress, EgressErrorCode } from './platform/egress/index.ts';
import { createEgress } from './platform/egress/index.ts';
import type { JobQueue, JobRunner, LeaseTiming, SlotCaps } from './platform/jobs/index.ts';
import { createJobRunner, startJobQueue } from './platform/jobs/index.ts';
import { createMetrics } from './platform/metrics/index.ts';
import {
  createAttemptLimiter,
  createLeaseLimiter,
  postgresCounterStore,
} from './platform/ratelimit/index.ts';
import { VERSION } from './version.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

export interface ComposeOptions {
  config: Config;
  database: DatabaseHandle;
  masterKey: Buffer;
  clock?: Clock;
  discoveryTimeouts?: { connectMs?: number; listMs?: number; totalMs?: number };
  /** Background job slots per process, per org and per host (ADR 0024; defaults DEFAULT_SLOT_CAPS). */
  jobSlots?: Partial<SlotCaps>;
  /** Job lease TTL and heartbeat interval (ADR 0024; defaults DEFAULT_LEASE). */
  jobLease?: Partial<LeaseTiming>;
  /** How often buffered API-key usage is written (default 1 s). */
  apiKeyUsageFlushMs?: number;
  /** How often counted budget usage is written and cached budgets re-read (default 1 s each; ADR 0016). */
  budgetUsage?: { flushMs?: number; refreshMs?: number };
  /** Tests only: authenticators tried before the real ones (e.g. a stand-in for user sign-in). */
  extraAuthenticators?: readonly Authenticator[];
  /** Tests only: the authorization server's password check and refresh grace window (default 5 s). */
  oauth?: { verifyPassword?: VerifyPassword; refreshGraceMs?: number };
  /** Tests only: read the app's log lines and see every route registered (buildApp's logStream, onRoute). */
  http?: Pick<AppDeps, 'logStream' | 'onRoute'>;
}

export interface SprintConnect {
  readonly app: App | undefined;
  readonly queue: JobQueue;
  /** Leases, retries, slot caps and reconciliation for every job kind (ADR 0024). */
  readonly jobs: JobRunner;
  readonly egress: Egress;
  /** Egress on behalf of an org: its egress rules, outbound rate limit and metrics (ADR 0014). */
  readonly orgEgress: OrgEgress;
  readonly apiKeys: ApiKeyService;
  readonly apiKeyUsage: UsageRecorder;
  /** Quotas (servers, discoveries per day, API keys), one mechanism for every module (ADR 0016). */
  readonly quotas: QuotaService;
  /** Each org's API calls toward its monthly budget, counted in memory and written in batches. */
  readonly budgetUsage: UsageMeter;
  /** Jobs on a cron schedule, also runnable with `POST /api/cron/{name}`. */
  readonly scheduledJobs: readonly ScheduledJob[];
  readonly discovery: DiscoveryService;
  readonly permissions: PermissionResolver;
  readonly roles: RolesService;
  readonly users: UsersService;
  /** Sessions, SSO, local passwords (story 1.1). */
  readonly signIn: SignIn;
  /** SprintConnect's authorization server at /oidc (api role only). */
  readonly oauth: OAuthServer | undefined;
  /** Identity providers orgs trust to issue access tokens. */
  readonly trustedIssuers: TrustedIssuers;
  stop(): Promise<void>;
}

/**
 * Which policy refused a URL a tenant registers (an MCP server, a trusted issuer's URLs): one mapping, so the
 * same refusal gets the same API code wherever it happens (issue 8 fixes, M2).
 */
const urlRefusal = (code: EgressErrorCode): 'platform' | 'port' | 'org_policy' =>
  code === 'egress_denied_by_org_policy'
    ? 'org_policy'
    : code === 'egress_port_not_allowed' || code === 'egress_bad_port'
      ? 'port'
      : 'platform';

/** The composition root: config -> platform -> modules -> adapters. Nothing else wires. */
export async function compose(opts: ComposeOptions): Promise<SprintConnect> {
  const { config, database } = opts;
  const clock = opts.clock ?? systemClock;
  const runsWorker = config.role === 'all' || config.role === 'worker';
  const runsApi = config.role === 'all' || config.role === 'api';
  const runsScheduler = config.role === 'all' || config.role === 'scheduler';

  // Jobs log here (the HTTP side logs through Fastify's own pino), to the same stream in the same format.
  const workerLog = pino({ level: config.logLevel }, opts.http?.logStream ?? process.stdout);
  const secrets = createSecrets(deriveKey(opts.masterKey, 'data-key-wrapping'));
  // Quotas are taken inside the creating transaction, in the org's turn (ADR 0025); `count` quotas keep a
  // counter, recounted now and then by the module that owns the rows.
  let registry: RegistryService | undefined;
  const quotas = createQuotaService({
    db: database.db,
    clock,
    counters: {
      servers: (tx, orgId) => registry!.count(tx, orgId),
      api_keys: (tx, orgId, now) => apiKeys.countActive(tx, orgId, now),
    },
  });
  // Verified keys are cached per process; revocations reach every process's cache over LISTEN/NOTIFY.
  const apiKeys = createApiKeyService({
    db: database.db,
    pepper: deriveKey(opts.masterKey, 'api-key-pepper'),
    listenUrl: database.appUrl,
    quota: {
      exclusive: quotas.exclusive,
      take: (tx, orgId) => quotas.take(tx, orgId, 'api_keys'),
      release: (tx, orgId) => quotas.release(tx, orgId, 'api_keys'),
    },
    onRevoked: (tx, actor, id) => withdrawIssuedBy(tx, actor, `api_key:${id}`),
  });
  /**
   * Issue 8 point 3 and its fixes (D4, ADR 0022 amended): authority ends with its source. Revoking a key or
   * removing an OAuth client withdraws, in the same transaction, every key and client it created and, through
   * them, theirs (creation order makes this a tree, so it ends).
   */
  async function withdrawIssuedBy(tx: Tx, actor: Actor, creator: string): Promise<void> {
    const keys = await apiKeys.revokeIssuedBy(tx, actor, creator, clock.now());
    if (oauth === undefined) return;
    const creators = [creator, ...keys.map((id) => `api_key:${id}`)];
    for (const clientId of await oauth.clientsIssuedBy(tx, actor.orgId, creators)) {
      await oauth.removeClientInTx(tx, actor, clientId);
    }
  }
  // Limits shared by all processes: counters in Postgres, spent in slices without a trip per request.
  const sharedPerMinute = (limit: number, keyPrefix: string) =>
    createLeaseLimiter({
      limit,
      windowSeconds: 60,
      store: postgresCounterStore({ pool: database.appPool, points: limit, windowSeconds: 60, keyPrefix }),
    });
  // Failed authentication per source network and per client id, shared by all processes (ADR 0022).
  const failuresPerMinute = (limit: number, keyPrefix: string) =>
    createAttemptLimiter({
      limit,
      windowSeconds: 60,
      store: postgresCounterStore({ pool: database.appPool, points: limit, windowSeconds: 60, keyPrefix }),
    });
  const authAttempts = createAuthAttempts({
    perSource: failuresPerMinute(config.authFailuresPerSource, 'auth_failures'),
    perClient: failuresPerMinute(config.authFailuresPerClient, 'auth_failures'),
  });
  const apiKeyUsage = createUsageRecorder({ db: database.db, flushMs: opts.apiKeyUsageFlushMs });
  const apiKeyTraffic = createApiKeyTraffic({
    limiter: sharedPerMinute(config.apiKeyRateLimit, 'api_key'),
    usage: apiKeyUsage,
  });
  // Per org: a rate limit shared by all processes, and a monthly budget counted off the request path.
  const budgetUsage = createUsageMeter({
    db: database.db,
    clock,
    flushMs: opts.budgetUsage?.flushMs,
    refreshMs: opts.budgetUsage?.refreshMs,
  });
  const throttle = createRateClassThrottle(sharedPerMinute);
  const orgTraffic = createOrgTraffic({
    limiter: sharedPerMinute(config.orgRateLimit, 'org'),
    throttle: sharedPerMinute(config.budgetThrottleRate, 'org_budget_throttle'),
    meter: budgetUsage,
    clock,
  });
  const budgets = createBudgetService({
    db: database.db,
    clock,
    meter: budgetUsage,
    throttlePerMinute: config.budgetThrottleRate,
  });
  const apiKeyManagement = createApiKeyManagement({
    db: database.db,
    keys: apiKeys,
    access: { assertAllowed, authorize, heldPermissions },
    clock,
    clientExpiry: async (orgId, clientId) => oauth?.clientExpiry(orgId, clientId),
  });
  const egress = createEgress({ allow: config.egressAllow, ports: config.egressPorts });
  const metrics = createMetrics();
  // Every outbound call made for an org goes through its scope: platform policy, then the org's rules (ADR 0014).
  const orgEgress = createOrgEgress({
    db: database.db,
    egress,
    listenUrl: database.appUrl,
    counterPool: database.appPool,
    defaultRateLimit: config.egressRateLimit,
    metrics,
  });
  const egressPolicies = createEgressPolicyService({
    db: database.db,
    orgEgress,
    defaultRateLimit: config.egressRateLimit,
    clock,
  });
  // Idempotency-Key on POST /v1 routes: answers kept 24 h per org and caller, sealed like secrets (ADR 0026).
  const idempotency = createIdempotencyStore({
    db: database.db,
    secrets,
    clock,
    fingerprintKey: deriveKey(opts.masterKey, 'idempotency-fingerprint'),
  });
  const orgCheckUrl = (orgId: string, url: string) => orgEgress.forOrg(orgId).checkUrl(url);
  const orgFetch = (orgId: string) => orgEgress.forOrg(orgId).fetch;
  const queue = await startJobQueue({
    connectionString: database.adminUrl,
    supervise: runsWorker || config.role === 'scheduler',
    onError: () => undefined,
  });
  await grantSchemaAccess(database.adminPool, 'pgboss');
  const jobs = createJobRunner({
    db: database.db,
    queue,
    clock,
    slots: opts.jobSlots,
    lease: opts.jobLease,
    onError: (err, where) => {
      try {
        app?.log.error({ err, where }, 'job runner error');
      } catch {
        // Before the app exists (a sweep at start) there is no log yet.
      }
    },
  });
  // Role changes reach every process within a second: each keeps a cache invalidated over LISTEN/NOTIFY.
  const permissions = createPermissionResolver({ db: database.db, listenUrl: database.appUrl });
  const builtInRoles = createBuiltInRoles({ db: database.db, clock, onChanged: permissions.invalidate });
  const roles = createRolesService({
    db: database.db,
    clock,
    builtIns: builtInRoles,
    onChanged: permissions.invalidate,
  });
  const users = createUsersService({
    db: database.db,
    clock,
    builtIns: builtInRoles,
    onChanged: permissions.invalidate,
  });

  // Org policies (issue 4): obligations may name only what the API applies (redactable server fields) and the
  // invocation classes of docs/rate-limits.md.
  const policyVocabulary = {
    redactable: REDACTABLE_SERVER_FIELDS,
    throttleClasses: Object.keys(INVOCATION_CLASSES),
  };
  const orgPolicies = createOrgPoliciesService({
    db: database.db,
    clock,
    vocabulary: policyVocabulary,
    onChanged: permissions.invalidate,
  });

  const signIn = createSignIn({
    db: database.db,
    secrets,
    egress: { fetchFor: orgFetch, checkUrl: orgCheckUrl },
    sessionPepper: deriveKey(opts.masterKey, 'session-token-pepper'),
    loginStateKey: deriveKey(opts.masterKey, 'sso-login-state'),
    publicUrl: config.publicUrl,
    clock,
    assertMayConfigureSso: (p, orgId) => assertAllowed(p, 'sso:write', { type: 'org', orgId }),
    grantRoles: (actor, userId, names) => users.grantAsSystem(actor, { type: 'user', id: userId }, names),
    attempts: authAttempts,
  });

  let discovery: DiscoveryService | undefined;
  registry = createRegistryService({
    db: database.db,
    secrets,
    checkUrl: async (orgId, url) => {
      const r = await orgCheckUrl(orgId, url);
      // A name that does not resolve now is accepted: discovery reports it with guidance (DNS may be split-horizon).
      if (r.ok || r.code === 'egress_dns_failed') return { ok: true };
      return { ok: false, detail: r.detail, refusedBy: urlRefusal(r.code) };
    },
    discovery: { request: (tx, actor, id, o) => discovery!.request(tx, actor, id, o) },
    quota: {
      exclusive: quotas.exclusive,
      take: (tx, orgId) => quotas.take(tx, orgId, 'servers'),
      release: (tx, orgId) => quotas.release(tx, orgId, 'servers'),
    },
  });
  discovery = createDiscoveryService({
    db: database.db,
    jobs,
    registry,
    fetchFor: orgFetch,
    checkUrl: orgCheckUrl,
    index: indexCapabilities,
    clock,
    timeouts: opts.discoveryTimeouts,
    quota: {
      exclusive: quotas.exclusive,
      take: (tx, orgId) => quotas.take(tx, orgId, 'discoveries_per_day'),
    },
    // The tenant sees `unreachable` for a failure before any answer; the precise cause is logged (ADR 0027).
    logFailure: (entry) => workerLog.warn({ discovery: entry }, 'discovery attempt failed'),
  });
  const capabilities = createCapabilitiesService({ db: database.db, registry });
  const search = createSearchService({ db: database.db });
  // Signed manifests (ADR 0015): trust finds servers through the registry, which it does not import.
  const trustStore = createTrustStore({ db: database.db });
  const manifests = createManifestService({
    db: database.db,
    findServer: (tx, orgId, id) => registry!.findServerRow(tx, orgId, id),
  });

  // Every job kind is registered by its module's factory above; workers run only where jobs are processed.
  await jobs.start({ work: runsWorker });

  const scheduledJobs: ScheduledJob[] = [
    {
      name: API_KEY_EXPIRY_JOB,
      cron: '0 8 * * *',
      description: 'Announce API keys that expire within 7 days (api_key.expiring), once per key.',
      run: () => announceExpiringKeys(database.db, clock),
    },
    {
      name: IDEMPOTENCY_PURGE_JOB,
      cron: '17 * * * *',
      description: 'Delete Idempotency-Key records older than 24 hours, in every organization (ADR 0026).',
      run: () => idempotency.purgeExpired(),
    },
  ];
  await installSchedules(queue, scheduledJobs, { schedule: runsScheduler, work: runsWorker });

  const trustedIssuers = createTrustedIssuers({
    db: database.db,
    publicUrl: config.publicUrl,
    fetchFor: orgFetch,
    checkUrl: async (orgId, url) => {
      const r = await orgCheckUrl(orgId, url);
      return r.ok ? { ok: true } : { ok: false, detail: r.detail, refusedBy: urlRefusal(r.code) };
    },
  });
  const oauth = runsApi
    ? await createOAuthServer({
        db: database.db,
        publicUrl: config.publicUrl,
        clock,
        keys: {
          signing: deriveKey(opts.masterKey, 'oauth-signing-keys'),
          storage: deriveKey(opts.masterKey, 'oauth-storage'),
          cookies: deriveKey(opts.masterKey, 'oauth-cookies'),
        },
        fetch: egress.fetch,
        verifyPassword:
          opts.oauth?.verifyPassword ??
          localPasswordVerifier({ db: database.db, clock, attempts: authAttempts }),
        attempts: authAttempts,
        listenUrl: database.appUrl,
        // Issue 8 point 3: a removed client keeps neither its roles nor the API keys it made (same transaction).
        onClientRemoved: async (tx, actor, clientId) => {
          await users.removeAllInTx(tx, actor, { type: 'client', id: clientId });
          await withdrawIssuedBy(tx, actor, `client:${clientId}`);
        },
        sessionUser: sessionUserVia(signIn.authenticator, config.publicUrl, clock),
        apiScopes: scopeVocabulary(PERMISSIONS),
        refreshGraceMs: opts.oauth?.refreshGraceMs,
        onError: (err, where) => app?.log.error({ err, where }, 'authorization server error'),
      })
    : undefined;

  const app = runsApi
    ? await buildApp({
        publicUrl: config.publicUrl,
        logLevel: config.logLevel,
        clock,
        throttle,
        authenticators: [
          ...(opts.extraAuthenticators ?? []),
          apiKeyAuthenticator(apiKeys),
          ...(oauth === undefined
            ? []
            : [
                createAccessTokenAuthenticator({
                  db: database.db,
                  publicUrl: config.publicUrl,
                  ownKeys: oauth.ownKeys.getKey,
                  trusted: trustedIssuers,
                  clientRemoved: oauth.clientRemoved,
                }),
              ]),
          signIn.authenticator,
        ].map((a) => withPermissions(a, permissions)),
        // The key's own limit first, then its org's limit and budget; one set of RateLimit fields for both.
        admit: async (principal, request) =>
          orgTraffic.admit(principal, request, await apiKeyTraffic.admit(principal)),
        served: apiKeyTraffic.served,
        idempotency,
        version: VERSION,
        publicRoutes: [
          cronRoutes({ secret: config.cronSecret, jobs: scheduledJobs }),
          ...signIn.publicRoutes,
          ...(oauth === undefined ? [] : [oauth.routes]),
        ],
        routes: [
          ...signIn.routes,
          meRoutes(database.db),
          apiKeyRoutes(apiKeyManagement, { assertAllowed, authorize, heldPermissions }),
          roleRoutes(roles),
          userRoutes(users),
          policyRoutes(orgPolicies, {
            db: database.db,
            vocabulary: policyVocabulary,
            resolve: permissions.resolve,
            apiKeyScopes: async (p, id) => (await apiKeyManagement.get(p, id)).scopes,
            serverAttributes: async (p, id) => {
              const s = await registry.serverFacts(p.orgId, id);
              return { name: s.name, environment: s.environment, tags: s.tags };
            },
          }),
          serverRoutes(registry),
          discoveryRoutes(discovery, capabilities, registry.authorizeServer),
          jobRoutes(database.db),
          egressPolicyRoutes(egressPolicies),
          searchRoutes(search),
          trustStoreRoutes(trustStore),
          manifestRoutes(manifests, registry.authorizeServer),
          quotaRoutes(quotas, budgets),
          trustedIssuerRoutes({
            issuers: trustedIssuers,
            assertAllowed,
            checkUrl: async (orgId, url) => {
              const r = await orgCheckUrl(orgId, url);
              return r.ok
                ? { ok: true }
                : {
                    ok: false,
                    detail: r.detail,
                    dnsFailed: r.code === 'egress_dns_failed',
                    refusedBy: urlRefusal(r.code),
                  };
            },
          }),
          ...(oauth === undefined
            ? []
            : [
                oauthClientRoutes({
                  clients: {
                    register: oauth.registerClient,
                    list: oauth.listClients,
                    remove: oauth.removeClient,
                  },
                  tokenEndpoint: `${oauth.issuer}/token`,
                  expiryBound: apiKeyManagement.expiryBound,
                  clock,
                  access: {
                    assertAllowed,
                    assertWithinHeld: (p, what, wanted) => assertWithinHeld(p, what, wanted as Permission[]),
                    assertRecentSignIn: (p) => assertRecentSignIn(p, clock.now()),
                    roles: (p, cursor) => roles.list(p, { limit: 200, cursor }),
                    grant: (p, clientId, names) =>
                      users.grantAsSystem(actorOf(p), { type: 'client', id: clientId }, names),
                  },
                }),
              ]),
        ],
        metrics: { render: metrics.render, token: config.metricsToken },
        ...opts.http,
        ready: async () => {
          const ok = await database.ping();
          return { ok, checks: { database: ok ? 'ok' : 'unreachable' } };
        },
      })
    : undefined;

  // Story 8.5: a fetch by id that found nothing the caller may see is logged with why (ADR 0018).
  const stopTenantGuardLog = onTenantGuardMiss((miss) =>
    app?.log.warn({ tenantGuard: miss }, 'tenant guard: no such id in the caller org'),
  );
  return {
    app,
    queue,
    jobs,
    egress,
    orgEgress,
    apiKeys,
    apiKeyUsage,
    quotas,
    budgetUsage,
    scheduledJobs,
    discovery,
    permissions,
    roles,
    users,
    signIn,
    oauth,
    trustedIssuers,
    async stop() {
      stopTenantGuardLog();
      await oauth?.stop();
      await app?.close();
      // After the last response: what is buffered is written before the database goes.
      await apiKeyUsage.stop();
      await budgetUsage.stop();
      // Running attempts hand their jobs back before the queue stops delivering.
      await jobs.stop();
      await queue.stop();
      await orgEgress.close();
      await egress.close();
      await permissions.close();
      await apiKeys.close();
    },
  };
}
