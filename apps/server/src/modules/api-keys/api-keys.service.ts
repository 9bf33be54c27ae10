import { performance } from 'node:perf_hooks';
import type { Actor } from '../../kernel/index.ts';
import { createKeyCache, uuidv7 } from '../../kernel/index.ts';
import { constantTimeEqual, hmacSha256With } from '../../platform/crypto/index.ts';
import type { Db, Listener, Tx } from '../../platform/db/index.ts';
import { listen, notify, withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import type { Principal } from '../identity/index.ts';
import { type Authenticator, bearerToken, looksLikeJwt } from '../identity/index.ts';
import { generateApiKey, prefixOf } from './api-key-token.ts';
import { ApiKeysError } from './api-keys.errors.ts';
import type { ApiKeyQuota, KeyRoles, TxGuard } from './api-keys.ports.ts';
import {
  countActiveApiKeys,
  countApiKeys,
  findApiKeyByPrefix,
  insertApiKey,
  revokeApiKey,
  revokeKeysIssuedBy,
  updateApiKeyRateLimit,
} from './api-keys.repo.ts';

/** API keys as an authenticator: any bearer token that is not a JWT. */
export function apiKeyAuthenticator(service: ApiKeyService): Authenticator {
  return async (req, now) => {
    const token = bearerToken(req);
    if (token === undefined || looksLikeJwt(token)) return undefined;
    return service.authenticate(token, now);
  };
}

/** Revocations are announced on this channel (payload: the key id) to every process's cache. */
export const API_KEY_REVOKED_CHANNEL = 'api_key_revoked';

export interface ApiKeyService {
  /** Resolves a bearer token to a principal, or throws 401 AppErrors. A cached key costs no database trip. */
  authenticate(token: string, now: Date): Promise<Principal>;
  /**
   * Issues a key (no permission checks: system callers and api-keys.manage.ts, which checks), with its roles
   * (assigned in the same transaction) and its own rate limit (requests per minute; absent: the deployment's).
   */
  create(
    actor: Actor,
    input: {
      name: string;
      description?: string;
      scopes: string[];
      roles?: readonly string[];
      rateLimit?: number | null;
      expiresAt?: Date | null;
    },
  ): Promise<{ id: string; token: string; prefix: string }>;
  /** Sets a key's own rate limit (null: the deployment's); every process drops its cached copy. False: no such key. */
  setRateLimit(actor: Actor, id: string, rateLimit: number | null): Promise<boolean>;
  /** Active keys of the org (neither revoked nor expired): the `api_keys` quota's usage. */
  countActive(tx: Tx, orgId: string, now: Date): Promise<number>;
  /**
   * Revokes in its own transaction and tells every process; false if it was already revoked. `guard` wraps the
   * change inside that transaction (the last-administrator check, ADR 0037).
   */
  revoke(actor: Actor, id: string, now: Date, guard?: TxGuard): Promise<boolean>;
  /**
   * In the caller's transaction: revokes the keys `creator` (`client:<id>`, `api_key:<id>`) made and the keys
   * those made, and tells every process at commit. For a removed OAuth client or a revoked key (issue 8 point 3).
   */
  revokeIssuedBy(tx: Tx, actor: Actor, creator: string, now: Date): Promise<string[]>;
  /** First start: turn the configured (or a generated) key into an admin key of the org; no-op if it has keys. */
  bootstrap(
    ownerDb: Db,
    orgId: string,
    configured: string | undefined,
  ): Promise<{ token: string; generated: boolean } | undefined>;
  /** Resolves once revocation notices are being received (until then every key is read from the database). */
  readonly listening: Promise<void>;
  close(): Promise<void>;
}

interface Cached {
  principal: Principal;
  expiresAt: Date | null;
}

export function createApiKeyService(deps: {
  db: Db;
  pepper: Buffer;
  /** Where to LISTEN for revocations; without it nothing is cached. */
  listenUrl?: string;
  cache?: { maxEntries?: number; ttlMs?: number };
  quota: ApiKeyQuota;
  roles?: KeyRoles | undefined;
  /**
   * In the transaction that revokes a key: withdraw what it created (the keys and OAuth clients it made, and
   * theirs), as removing a client does (ADR 0022, amended by issue 8's fixes, D4).
   */
  onRevoked?: ((tx: Tx, actor: Actor, id: string) => Promise<void>) | undefined;
}): ApiKeyService {
  const { db, pepper } = deps;
  // Every request with a key hashes it (the cache is found by the hash): the pepper is imported once.
  const hash = hmacSha256With(pepper);
  const cache = createKeyCache<Cached>({
    maxEntries: deps.cache?.maxEntries ?? 10_000,
    ttlMs: deps.cache?.ttlMs ?? 60_000,
  });

  let markListening: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => {
    markListening = resolve;
  });
  const listener: Listener | undefined =
    deps.listenUrl === undefined
      ? undefined
      : listen({
          connectionString: deps.listenUrl,
          channel: API_KEY_REVOKED_CHANNEL,
          onMessage: (id) => cache.invalidate(id),
          // Notices sent while we were not listening are lost: start from an empty cache on every connection.
          onConnected: () => {
            cache.clear();
            markListening();
          },
          onDisconnected: () => cache.clear(),
        });
  /** The cache is trusted only while revocations can reach it. */
  const cacheLive = () => listener?.connected === true;

  const expiredError = (at: Date) =>
    new ApiKeysError('api_key_expired', `The API key expired at ${at.toISOString()}; create a new one.`);

  function admit(c: Cached, now: Date): Principal {
    if (c.expiresAt !== null && c.expiresAt.getTime() <= now.getTime()) throw expiredError(c.expiresAt);
    return c.principal;
  }

  return {
    async authenticate(token, now) {
      const digest = hash(token);
      const cacheKey = digest.toString('base64url');
      const live = cacheLive();
      if (live) {
        const hit = cache.get(cacheKey, performance.now());
        if (hit !== undefined) return admit(hit, now);
      }
      const generation = cache.generation();
      const row = await findApiKeyByPrefix(db, prefixOf(token));
      // Compare even when no row was found, so timing does not reveal whether a prefix exists.
      const expected = row?.secret_hash ?? Buffer.alloc(32);
      const ok = constantTimeEqual(digest, expected) && row !== undefined;
      if (!ok || row.revoked_at !== null)
        throw new ApiKeysError('api_key_invalid', 'The API key is not valid.');
      const entry: Cached = {
        principal: {
          kind: 'api_key',
          id: row.id,
          orgId: row.org_id,
          name: row.name,
          scopes: row.scopes,
          // Roles are the assignments' (rbac completes every principal, ADR 0037).
          roles: [],
          authMethod: 'api_key',
          ...(row.rate_limit === null ? {} : { rateLimit: row.rate_limit }),
        },
        expiresAt: row.expires_at,
      };
      if (live) cache.set(cacheKey, row.id, entry, performance.now(), generation);
      return admit(entry, now);
    },

    async create(actor, input) {
      const { token, prefix } = generateApiKey();
      const id = uuidv7();
      await deps.quota.exclusive(actor.orgId, () =>
        withTenant(db, actor.orgId, async (tx) => {
          await deps.quota.take(tx, actor.orgId);
          await insertApiKey(tx, {
            orgId: actor.orgId,
            id,
            prefix,
            secretHash: hash(token),
            name: input.name,
            description: input.description ?? '',
            scopes: input.scopes,
            createdBy: `${actor.type}:${actor.id}`,
            expiresAt: input.expiresAt ?? null,
            rateLimit: input.rateLimit ?? null,
          });
          const roles = input.roles ?? [];
          if (roles.length > 0) {
            if (deps.roles === undefined) throw new Error('api-keys: keys with roles need rbac');
            await deps.roles.assignInTx(tx, actor, id, roles);
          }
          await recordChange(tx, actor, {
            action: 'api_key.created',
            target: { type: 'api_key', id },
            data: {
              name: input.name,
              scopes: input.scopes,
              roles,
              rateLimit: input.rateLimit ?? null,
              expiresAt: input.expiresAt?.toISOString() ?? null,
            },
          });
        }),
      );
      return { id, token, prefix };
    },

    countActive: (tx, orgId, now) => countActiveApiKeys(tx, orgId, now),

    async setRateLimit(actor, id, rateLimit) {
      const changed = await withTenant(db, actor.orgId, async (tx) => {
        const before = await updateApiKeyRateLimit(tx, actor.orgId, id, rateLimit);
        if (before === undefined) return false;
        await recordChange(tx, actor, {
          action: 'api_key.updated',
          target: { type: 'api_key', id },
          data: { rateLimit: { from: before, to: rateLimit } },
        });
        // The cached principal carries the limit: every process drops it at commit, as for a revocation.
        await notify(tx, API_KEY_REVOKED_CHANNEL, id);
        return true;
      });
      cache.invalidate(id);
      return changed;
    },

    async revoke(actor, id, now, guard) {
      const revoked = await deps.quota.exclusive(actor.orgId, () =>
        withTenant(db, actor.orgId, async (tx) => {
          const change = async () => {
            const r = await revokeApiKey(tx, actor.orgId, id, now);
            if (r === undefined) return false;
            // An expired key no longer counts toward the quota: giving its slot back would count one too few.
            if (r.wasActive) await deps.quota.release(tx, actor.orgId);
            await recordChange(tx, actor, { action: 'api_key.revoked', target: { type: 'api_key', id } });
            // Delivered on commit, to every process (this one included).
            await notify(tx, API_KEY_REVOKED_CHANNEL, id);
            await deps.roles?.removeInTx(tx, actor, id);
            await deps.onRevoked?.(tx, actor, id);
            return true;
          };
          return guard === undefined ? change() : guard(tx, change);
        }),
      );
      cache.invalidate(id);
      return revoked;
    },

    async revokeIssuedBy(tx, actor, creator, now) {
      const ids = await revokeKeysIssuedBy(tx, actor.orgId, creator, now);
      for (const id of ids) {
        await deps.roles?.removeInTx(tx, actor, id);
        await recordChange(tx, actor, {
          action: 'api_key.revoked',
          target: { type: 'api_key', id },
          data: { reason: 'creator_removed', creator },
        });
        await notify(tx, API_KEY_REVOKED_CHANNEL, id);
      }
      return ids;
    },

    async bootstrap(ownerDb, orgId, configured) {
      return withTenant(ownerDb, orgId, async (tx) => {
        if ((await countApiKeys(tx, orgId)) > 0) return undefined;
        const token = configured ?? generateApiKey().token;
        const id = uuidv7();
        await insertApiKey(tx, {
          orgId,
          id,
          prefix: prefixOf(token),
          secretHash: hash(token),
          name: 'bootstrap admin',
          description: 'Created on first start from SPRINTCONNECT_BOOTSTRAP_KEY or generated.',
          scopes: ['admin'],
          createdBy: 'system:bootstrap',
          expiresAt: null,
          rateLimit: null,
        });
        await recordChange(
          tx,
          { type: 'system', id: 'bootstrap', orgId },
          {
            action: 'api_key.created',
            target: { type: 'api_key', id },
            data: { name: 'bootstrap admin', scopes: ['admin'] },
          },
        );
        return { token, generated: configured === undefined };
      });
    },

    listening,
    async close() {
      await listener?.close();
      cache.clear();
    },
  };
}
