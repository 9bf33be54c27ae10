import { join } from 'node:path';
import type { Config } from './config/index.ts';
import type { App } from './http/index.ts';
import { buildApp, cronRoutes } from './http/index.ts';
import { installSchedules, type ScheduledJob } from './jobs/index.ts';
import type { Clock } from './kernel/index.ts';
import { systemClock } from './kernel/index.ts';
import type { Permission, PermissionResolver, RolesService, UsersService } from './modules/access/index.ts';
import {
  assertAllowed,
  assertRecentSignIn,
  assertWithinHeld,
  authorize,
  createBuiltInRoles,
  createPermissionResolver,
  createRolesService,
  createUsersService,
  heldPermissions,
  PERMISSIONS,
  roleRoutes,
  userRoutes,
  withPermissions,
} from './modules/access/index.ts';
import type { DiscoveryService } from './modules/discovery/index.ts';
import {
  createCapabilitiesService,
  createDiscoveryService,
  DISCOVERY_MAX_ATTEMPTS,
  DISCOVERY_QUEUE,
  discoveryRoutes,
} from './modules/discovery/index.ts';
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
import { createRegistryService, serverRoutes } from './modules/registry/index.ts';
import { createSearchService, indexCapabilities, searchRoutes } from './modules/search/index.ts';
import { createSecrets } from './modules/tenancy/index.ts';
import { deriveKey } from './platform/crypto/index.ts';
import type { DatabaseHandle } from './platform/db/index.ts';
import { grantSchemaAccess } from './platform/db/index.ts';
import type { Egress } from './platform/egress/index.ts';
import { createEgress } from './platform/egress/index.ts';
import type { JobQueue } from './platform/jobs/index.ts';
import { startJobQueue } from './platform/jobs/index.ts';
import { createLeaseLimiter, postgresCounterStore } from './platform/ratelimit/index.ts';
import { VERSION } from './version.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

export interface ComposeOptions {
  config: Config;
  database: DatabaseHandle;
  masterKey: Buffer;
  clock?: Clock;
  discoveryTimeouts?: { connectMs?: number; listMs?: number; totalMs?: number };
  /** How often buffered API-key usage is written (default 1 s). */
  apiKeyUsageFlushMs?: number;
  /** Tests only: authenticators tried before the real ones (e.g. a stand-in for user sign-in). */
  extraAuthenticators?: readonly Authenticator[];
  /** Tests only: the authorization server's password check and refresh grace window (default 5 s). */
  oauth?: { verifyPassword?: VerifyPassword; refreshGraceMs?: number };
}

export interface SprintConnect {
  readonly app: App | undefined;
  readonly queue: JobQueue;
  readonly egress: Egress;
  readonly apiKeys: ApiKeyService;
  readonly apiKeyUsage: UsageRecorder;
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

/** The composition root: config -> platform -> modules -> adapters. Nothing else wires. */
export async function compose(opts: ComposeOptions): Promise<SprintConnect> {
  const { config, database } = opts;
  const clock = opts.clock ?? systemClock;
  const runsWorker = config.role === 'all' || config.role === 'worker';
  const runsApi = config.role === 'all' || config.role === 'api';
  const runsScheduler = config.role === 'all' || config.role === 'scheduler';

  const secrets = createSecrets(deriveKey(opts.masterKey, 'data-key-wrapping'));
  // Verified keys are cached per process; revocations reach every process's cache over LISTEN/NOTIFY.
  const apiKeys = createApiKeyService({
    db: database.db,
    pepper: deriveKey(opts.masterKey, 'api-key-pepper'),
    listenUrl: database.appUrl,
  });
  const apiKeyUsage = createUsageRecorder({ db: database.db, flushMs: opts.apiKeyUsageFlushMs });
  const apiKeyTraffic = createApiKeyTraffic({
    // One limit per key across processes: counters in Postgres, spent in slices without a trip per request.
    limiter: createLeaseLimiter({
      limit: config.apiKeyRateLimit,
      windowSeconds: 60,
      store: postgresCounterStore({
        pool: database.appPool,
        points: config.apiKeyRateLimit,
        windowSeconds: 60,
        keyPrefix: 'api_key',
      }),
    }),
    usage: apiKeyUsage,
  });
  const apiKeyManagement = createApiKeyManagement({
    db: database.db,
    keys: apiKeys,
    access: { assertAllowed, authorize, heldPermissions },
    clock,
  });
  const egress = createEgress({ allow: config.egressAllow });
  const queue = await startJobQueue({
    connectionString: database.adminUrl,
    supervise: runsWorker || config.role === 'scheduler',
    onError: () => undefined,
  });
  await grantSchemaAccess(database.adminPool, 'pgboss');
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

  const signIn = createSignIn({
    db: database.db,
    secrets,
    egress,
    sessionPepper: deriveKey(opts.masterKey, 'session-token-pepper'),
    loginStateKey: deriveKey(opts.masterKey, 'sso-login-state'),
    publicUrl: config.publicUrl,
    clock,
    assertMayConfigureSso: (p, orgId) => assertAllowed(p, 'sso:write', { type: 'org', orgId }),
    grantRoles: (actor, userId, names) => users.grantAsSystem(actor, { type: 'user', id: userId }, names),
  });

  let discovery: DiscoveryService | undefined;
  const registry = createRegistryService({
    db: database.db,
    secrets,
    checkUrl: async (url) => {
      const r = await egress.checkUrl(url);
      // A name that does not resolve now is accepted: discovery reports it with guidance (DNS may be split-horizon).
      if (r.ok || r.code === 'egress_dns_failed') return { ok: true };
      return { ok: false, detail: r.detail };
    },
    discovery: { request: (tx, actor, id, o) => discovery!.request(tx, actor, id, o) },
  });
  discovery = createDiscoveryService({
    db: database.db,
    queue,
    registry,
    fetch: egress.fetch,
    index: indexCapabilities,
    clock,
    timeouts: opts.discoveryTimeouts,
  });
  const capabilities = createCapabilitiesService({ db: database.db, registry });
  const search = createSearchService({ db: database.db });

  await queue.ensure({
    name: DISCOVERY_QUEUE,
    retryLimit: DISCOVERY_MAX_ATTEMPTS - 1,
    retryDelaySeconds: 2,
    expireInSeconds: 120,
    concurrency: 4,
  });
  if (runsWorker) await queue.work(DISCOVERY_QUEUE, discovery.run);

  const scheduledJobs: ScheduledJob[] = [
    {
      name: API_KEY_EXPIRY_JOB,
      cron: '0 8 * * *',
      description: 'Announce API keys that expire within 7 days (api_key.expiring), once per key.',
      run: () => announceExpiringKeys(database.db, clock),
    },
  ];
  await installSchedules(queue, scheduledJobs, { schedule: runsScheduler, work: runsWorker });

  const trustedIssuers = createTrustedIssuers({
    db: database.db,
    fetch: egress.fetch,
    checkUrl: async (url) => {
      const r = await egress.checkUrl(url);
      return r.ok ? { ok: true } : { ok: false, detail: r.detail };
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
        verifyPassword: opts.oauth?.verifyPassword ?? localPasswordVerifier({ db: database.db, clock }),
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
                }),
              ]),
          signIn.authenticator,
        ].map((a) => withPermissions(a, permissions)),
        admit: apiKeyTraffic.admit,
        served: apiKeyTraffic.served,
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
          serverRoutes(registry),
          discoveryRoutes(discovery, capabilities),
          jobRoutes(database.db),
          searchRoutes(search),
          trustedIssuerRoutes({
            issuers: trustedIssuers,
            assertAllowed,
            checkUrl: async (url) => {
              const r = await egress.checkUrl(url);
              return r.ok
                ? { ok: true }
                : { ok: false, detail: r.detail, dnsFailed: r.code === 'egress_dns_failed' };
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
        ready: async () => {
          const ok = await database.ping();
          return { ok, checks: { database: ok ? 'ok' : 'unreachable' } };
        },
      })
    : undefined;

  return {
    app,
    queue,
    egress,
    apiKeys,
    apiKeyUsage,
    scheduledJobs,
    discovery,
    permissions,
    roles,
    users,
    signIn,
    oauth,
    trustedIssuers,
    async stop() {
      oauth?.stop();
      await app?.close();
      // After the last response: what is buffered is written before the database goes.
      await apiKeyUsage.stop();
      await queue.stop();
      await egress.close();
      await permissions.close();
      await apiKeys.close();
    },
  };
}
