import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Actor } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import type { ScheduledJob } from '../../platform/jobs/index.ts';
import type { Platform } from '../../platform/platform.ts';
import { mergeRateLimitHeaders } from '../../platform/ratelimit/index.ts';
import type { Authenticator, Principal } from '../identity/index.ts';
import type { QuotasModule } from '../quotas/index.ts';
import { API_KEY_EXPIRY_JOB, announceExpiringKeys } from './api-keys.expiry.ts';
import { type ApiKeyManagement, createApiKeyManagement } from './api-keys.manage.ts';
import { countActiveApiKeys } from './api-keys.repo.ts';
import { apiKeyRoutes } from './api-keys.routes.ts';
import { type ApiKeyService, apiKeyAuthenticator, createApiKeyService } from './api-keys.service.ts';
import { createApiKeyTraffic, type ServedRequest } from './api-keys.traffic.ts';
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
      upstream: Readonly<Record<string, string>>,
    ) => Promise<Record<string, string>>;
    /** After the response: the key's use is recorded. */
    readonly served: (p: Principal, r: ServedRequest) => void;
  };
  readonly schedules: readonly ScheduledJob[];
  /** Writes the buffered use, then stops listening for revocations. */
  close(): Promise<void>;
}

/** API keys (ADR 0003, ADR 0008): issued, verified (cached per process), limited, recorded, announced. */
export function createApiKeysModule(
  deps: Pick<Platform, 'db' | 'clock' | 'keys' | 'listenUrl' | 'perMinute'> & {
    config: Pick<Config, 'apiKeyRateLimit'>;
    quotas: QuotasModule;
    /** How often buffered use is written (default 1 s). */
    options?: { apiKeyUsageFlushMs?: number | undefined } | undefined;
  },
): ApiKeysModule {
  const { db, clock } = deps;
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
  });
  const usage = createUsageRecorder({ db, flushMs: deps.options?.apiKeyUsageFlushMs });
  const traffic = createApiKeyTraffic({
    limiter: deps.perMinute(deps.config.apiKeyRateLimit, 'api_key'),
    usage,
  });
  const management = createApiKeyManagement({
    db,
    keys,
    clock,
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
      admitCaller: async (p, _request, upstream) => mergeRateLimitHeaders(upstream, await traffic.admit(p)),
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
    async close() {
      await usage.stop();
      await keys.close();
    },
  };
}
