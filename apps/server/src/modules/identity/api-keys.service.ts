import type { Actor } from '../../kernel/index.ts';
import { AppError, uuidv7 } from '../../kernel/index.ts';
import { constantTimeEqual, hmacSha256 } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { generateApiKey, prefixOf } from './api-key-token.ts';
import { countApiKeys, findApiKeyByPrefix, insertApiKey } from './api-keys.repo.ts';
import { type Authenticator, bearerToken, looksLikeJwt } from './authenticator.ts';
import type { Principal } from './principal.ts';

/** API keys as an authenticator: any bearer token that is not a JWT. */
export function apiKeyAuthenticator(service: ApiKeyService): Authenticator {
  return async (req, now) => {
    const token = bearerToken(req);
    if (token === undefined || looksLikeJwt(token)) return undefined;
    return service.authenticate(token, now);
  };
}

export interface ApiKeyService {
  /** Resolves a bearer token to a principal, or throws 401 AppErrors. */
  authenticate(token: string, now: Date): Promise<Principal>;
  create(
    actor: Actor,
    input: { name: string; description?: string; scopes: string[]; expiresAt?: Date | null },
  ): Promise<{ id: string; token: string; prefix: string }>;
  /** First start: turn the configured (or a generated) key into an admin key of the org; no-op if it has keys. */
  bootstrap(
    ownerDb: Db,
    orgId: string,
    configured: string | undefined,
  ): Promise<{ token: string; generated: boolean } | undefined>;
}

export function createApiKeyService(deps: { db: Db; pepper: Buffer }): ApiKeyService {
  const { db, pepper } = deps;
  const hash = (token: string) => hmacSha256(pepper, token);

  return {
    async authenticate(token, now) {
      const row = await findApiKeyByPrefix(db, prefixOf(token));
      // Compare even when no row was found, so timing does not reveal whether a prefix exists.
      const expected = row?.secret_hash ?? Buffer.alloc(32);
      const ok = constantTimeEqual(hash(token), expected) && row !== undefined;
      if (!ok || row.revoked_at !== null) throw new AppError('api_key_invalid', 'The API key is not valid.');
      if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime()) {
        throw new AppError(
          'api_key_expired',
          `The API key expired at ${row.expires_at.toISOString()}; create a new one.`,
        );
      }
      return {
        kind: 'api_key',
        id: row.id,
        orgId: row.org_id,
        name: row.name,
        scopes: row.scopes,
        roles: [],
        authMethod: 'api_key',
      };
    },

    async create(actor, input) {
      const { token, prefix } = generateApiKey();
      const id = uuidv7();
      await withTenant(db, actor.orgId, async (tx) => {
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
        });
        await recordChange(tx, actor, {
          action: 'api_key.created',
          target: { type: 'api_key', id },
          data: { name: input.name, scopes: input.scopes },
        });
      });
      return { id, token, prefix };
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
  };
}
