import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Actor, RateLimitState } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import type { ScheduledJob } from '../../platform/jobs/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { Authenticator, Principal } from '../identity/index.ts';
import type { QuotasModule } from '../quotas/index.ts';
import type { RbacModule } from '../rbac/index.ts';
import { API_KEY_EXPIRY_JOB, announceExpiringKeys } from './api-keys.expiry.ts';
import { type ApiKeyManagement, createApiKeyManagement } from './api-keys.manage.ts';
import { countActiveApiKeys, listLiveApiKeys } from './api-keys.repo.ts';
import { apiKeyRoutes } from './api-keys.routes.ts';
import { type ApiKeyService, apiKeyAuthenticator, createApiKeyService } from './api-keys.service.ts';
import { createApiKeyTraffic, type ServedRequest } from './api-keys.traffic.ts';
import { deleteUsageOlderThan } from './api-keys.usage.repo.ts';
import { createUsageRecorder, type UsageRecorder } from './api-keys.usage.ts';

/**
 * Credentials another module issues on the authority of a key or client (the oauth module's CI clients). It
 * registers here when it is built (ADR 0028), so that authority ends with its source (issue 8 point 3, D4).
 */
export interface CredentialIssuer {
  /** In the revoking transaction: withdraw what `creators` (`api_key:<id>`, `client:<id>`) issued. */
  withdrawIssuedBy(tx: Tx, actor: Actor, creators: readonly string[]): Promise<void>;
  /** The latest expiry of an OAuth client (ADR 0022 amended); undefined for a client it does not know. */
  clientExpiry(orgId: string, clientId: string): Promise<Date | null | undefined>;
}

export interface ApiKeysModule {
  readonly name: 'api-keys';
  /** A module that issues credentials on a key's authority registers here (at most one: the oauth module). */
  registerIssuer(issuer: CredentialIssuer): void;
  /**
   * In the caller's transaction: revokes every key `creator` made and, through the registered issuer, every
   * credential it or those keys issued; creation order makes this a tree, so it ends (ADR 0022 amended).
   */
  withdrawIssuedBy(tx: Tx, actor: Actor, creator: string): Promise<void>;
  readonly keys: ApiKeyService;
  readonly management: ApiKeyManagement;
  /** Each key's use, buffered and written in batches (route, status, time; last use). */
  readonly usage: UsageRecorder;
  /** `/v1/api-keys`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** A bearer token that is not a JWT. */
  readonly authenticators: readonly { readonly from: 'header'; readonly authenticate: Authenticator }[];
  readonly hooks: {
    /** Before the route: the key's own rate limit, shared by every process (ADR 0008). */
    readonly admitCaller: (
      p: Principal,
      request: unknown,
      upstream: readonly RateLimitState[],
    ) => Promise<readonly RateLimitState[]>;
    /** After the response: the key's use is recorded. */
    readonly served: (p: Principal, r: ServedRequest) => void;
  };
  readonly schedules: readonly ScheduledJob[];
  /**
   * Deletes usage records older than the retention (SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS) in every org;
   * returns how many. No schedule calls it yet (ADR 0037: it comes with the notifications issue).
   */
  purgeUsage(): Promise<{ deleted: number; before: Date }>;
  /** Writes the buffered use, then stops listening for revocations. */
  close(): Promise<void>;
}

/** API keys (ADR 0003, ADR 0008): issued, verified (cached per process), limited, recorded, announced. */
export function createApiKeysModule(
  deps: Pick<Platform, 'db' | 'clock' | 'keys' | 'listenUrl' | 'perMinute'> & {
    config: Pick<Config, 'apiKeyRateLimit' | 'apiKeyUsageRetentionDays'>;
    quotas: QuotasModule;
    /** Keys hold roles (its assignments), and revoking one runs its last-administrator guard (ADR 0037). */
    rbac: RbacModule;
    /** How often buffered use is written (default 1 s). */
    options?: { apiKeyUsageFlushMs?: number | undefined } | undefined;
  },
): ApiKeysModule {
  const { db, clock, rbac } = deps;
  let issuer: CredentialIssuer | undefined;
  async function withdrawIssuedBy(tx: Tx, actor: Actor, creator: string): Promise<void> {
    const revoked = await keys.revokeIssuedBy(tx, actor, creator, clock.now());
    await issuer?.withdrawIssuedBy(tx, actor, [creator, ...revoked.map((id) => `api_key:${id}`)]);
  }
  // Verified keys are cached per process; revocations reach every process's cache over LISTEN/NOTIFY.
  const keys = createApiKeyService({
    db,
    pepper: deps.keys('api-key-pepper'),
    listenUrl: deps.listenUrl,
    // The `api_keys` quota counts this module's rows: it hands the counter over (ADR 0025, ADR 0028).
    quota: deps.quotas.service.counted('api_keys', countActiveApiKeys),
    onRevoked: (tx, actor, id) => withdrawIssuedBy(tx, actor, `api_key:${id}`),
    roles: {
      assignInTx: (tx, actor, id, roles) =>
        rbac.credentialRoles.assignInTx(tx, actor, { type: 'api_key', id }, roles),
      removeInTx: (tx, actor, id) => rbac.users.removeAllInTx(tx, actor, { type: 'api_key', id }),
    },
  });
  // Who can still administer the org counts live keys (by their scopes and roles).
  rbac.administrators.register({
    kind: 'api_key',
    live: (tx, orgId) => listLiveApiKeys(tx, orgId, clock.now()),
  });
  const usage = createUsageRecorder({ db, flushMs: deps.options?.apiKeyUsageFlushMs });
  const traffic = createApiKeyTraffic({
    defaultLimit: deps.config.apiKeyRateLimit,
    // Every limit counts under one prefix (`api_key:<id>`): a key keeps its window's count when its limit changes.
    limiterFor: (limit) => deps.perMinute(limit, 'api_key'),
    usage,
  });
  const management = createApiKeyManagement({
    db,
    keys,
    clock,
    defaultRateLimit: deps.config.apiKeyRateLimit,
    roles: {
      check: (orgId, names) => rbac.credentialRoles.check(orgId, names),
      namesOf: (orgId, ids) => rbac.credentialRoles.namesOf(orgId, 'api_key', ids),
      guard: (authz, opts) => (tx, change) => rbac.administrators.guard(tx, authz, opts, change),
    },
    clientExpiry: async (orgId, clientId) => issuer?.clientExpiry(orgId, clientId),
  });
  return {
    name: 'api-keys',
    registerIssuer(i) {
      if (issuer !== undefined) throw new Error('api-keys: a credential issuer is already registered');
      issuer = i;
    },
    withdrawIssuedBy,
    keys,
    management,
    usage,
    routes: [apiKeyRoutes(management)],
    authenticators: [{ from: 'header', authenticate: apiKeyAuthenticator(keys) }],
    hooks: {
      admitCaller: async (p, _request, upstream) => [...upstream, ...(await traffic.admit(p))],
      served: traffic.served,
    },
    schedules: [
      {
        name: API_KEY_EXPIRY_JOB,
        cron: '0 8 * * *',
        description: 'Announce API keys that expire within 7 days (api_key.expiring), once per key.',
        run: () => announceExpiringKeys(db, clock),
      },
    ],
    async purgeUsage() {
      const before = new Date(clock.now().getTime() - deps.config.apiKeyUsageRetentionDays * 86_400_000);
      return { deleted: await deleteUsageOlderThan(db, before), before };
    },
    async close() {
      await usage.stop();
      await keys.close();
    },
  };
}
