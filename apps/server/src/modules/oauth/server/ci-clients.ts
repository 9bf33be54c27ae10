import { randomBytes } from 'node:crypto';
import type { Adapter, ClientMetadata } from 'oidc-provider';
import type { Actor } from '../../../kernel/index.ts';
import { AppError } from '../../../kernel/index.ts';
import type { Db, Tx } from '../../../platform/db/index.ts';
import { notify, withTenant } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';
import { recordClientRemoval } from './client-removals.repo.ts';
import { type ClientRemovals, OAUTH_CLIENT_REMOVED_CHANNEL } from './client-removals.ts';
import { listOrgClients } from './oidc-models.repo.ts';

export interface CiClientInput {
  readonly name: string;
  readonly scopes: readonly string[];
  /** Require DPoP-bound access tokens (RFC 9449 §5.2 `dpop_bound_access_tokens`). */
  readonly dpopBound?: boolean;
  /** When the client stops authenticating (RFC 7591 `client_secret_expires_at`); null or absent: never. */
  readonly expiresAt?: Date | null;
}

export interface CiClientView {
  clientId: string;
  name: string;
  scopes: string[];
  expiresAt: string | null;
  createdBy: string | null;
}

export interface CiClients {
  /** `expiresAt`: as stored, in whole seconds (RFC 7591), never later than asked. */
  register(
    actor: Actor,
    input: CiClientInput,
  ): Promise<{ clientId: string; clientSecret: string; expiresAt: Date | null }>;
  list(actor: Actor): Promise<CiClientView[]>;
  remove(actor: Actor, clientId: string): Promise<boolean>;
  /** Removes in the caller's transaction (a cascade from the credential that created it); no ownership check. */
  removeInTx(tx: Tx, actor: Actor, clientId: string): Promise<void>;
  /** The org's clients created by any of `creators` (`api_key:<id>`, `client:<id>`). */
  issuedBy(on: Db, orgId: string, creators: readonly string[]): Promise<string[]>;
  /** The client's expiry: a date, null for never, undefined when it is not a client of this org. */
  expiry(orgId: string, clientId: string): Promise<Date | null | undefined>;
  /** The client's registered name; undefined when it is not a client of this org or has none. */
  name(orgId: string, clientId: string): Promise<string | undefined>;
}

/** RFC 7591 §3.2.1: seconds since the epoch, 0 for a secret that does not expire. */
const expiryOf = (payload: Record<string, unknown>): Date | null => {
  const at = payload.client_secret_expires_at;
  return typeof at === 'number' && at > 0 ? new Date(at * 1000) : null;
};

/**
 * Machine clients of an org for CI (client_credentials): `org_id` in the client metadata puts every token they
 * get in that org; what they may do comes from the roles assigned to the client id, narrowed by the token's
 * scopes. The secret is random (256 bits), sealed at rest, and shown once.
 */
export function createCiClients(deps: {
  db: Db;
  /** oidc-provider's storage bound to a connection or transaction. */
  adapterFor: (on: Db) => (model: string) => Adapter;
  /** oidc-provider's own client metadata validation. */
  validate: (metadata: ClientMetadata) => Promise<void>;
  /** In the removing transaction: withdraw what the client holds elsewhere (oauth.module.ts: roles, API keys). */
  onRemoved?: ((tx: Tx, actor: Actor, clientId: string) => Promise<void>) | undefined;
  removals?: Pick<ClientRemovals, 'forget'> | undefined;
}): CiClients {
  const { db } = deps;
  return {
    async register(actor, input) {
      const clientId = `scc_${randomBytes(12).toString('base64url')}`;
      const clientSecret = randomBytes(32).toString('base64url');
      // Whole seconds, rounded down: the client never outlives what bounds it.
      const expiresAt =
        input.expiresAt === undefined || input.expiresAt === null
          ? null
          : new Date(Math.floor(input.expiresAt.getTime() / 1000) * 1000);
      const metadata: ClientMetadata = {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: input.name,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: input.scopes.join(' '),
        dpop_bound_access_tokens: input.dpopBound ?? false,
        // Issue 8 fixes, D4: a client made by an expiring credential expires with it. oidc-provider refuses
        // an expired secret (invalid_client), and the provider's TTL never lets a token outlive it.
        client_secret_expires_at: expiresAt === null ? 0 : expiresAt.getTime() / 1000,
        org_id: actor.orgId,
        // Who made it: removing or revoking that credential removes this client too (ADR 0022, amended).
        created_by: `${actor.type}:${actor.id}`,
      };
      try {
        await deps.validate(metadata);
      } catch (e) {
        throw new AppError('validation_failed', `The client is invalid: ${(e as Error).message}`, {
          cause: e,
        });
      }
      await withTenant(db, actor.orgId, async (tx) => {
        await deps.adapterFor(tx)('Client').upsert(clientId, metadata);
        await recordChange(tx, actor, {
          action: 'oauth.client.registered',
          target: { type: 'oauth_client', id: clientId },
          data: {
            name: input.name,
            scopes: [...input.scopes],
            dpopBound: input.dpopBound ?? false,
            expiresAt: expiresAt?.toISOString() ?? null,
          },
        });
      });
      return { clientId, clientSecret, expiresAt };
    },

    async list(actor) {
      return (await listOrgClients(db, actor.orgId)).map((r) => ({
        clientId: String(r.client_id),
        name: String(r.client_name ?? ''),
        scopes: String(r.scope ?? '')
          .split(' ')
          .filter((s) => s !== ''),
        expiresAt: expiryOf(r)?.toISOString() ?? null,
        createdBy: typeof r.created_by === 'string' ? r.created_by : null,
      }));
    },

    async remove(actor, clientId) {
      const owned = (await listOrgClients(db, actor.orgId)).some((r) => r.client_id === clientId);
      if (!owned) return false;
      await withTenant(db, actor.orgId, (tx) => removeInTx(tx, actor, clientId));
      deps.removals?.forget(clientId);
      return true;
    },

    removeInTx,

    async issuedBy(on, orgId, creators) {
      const wanted = new Set(creators);
      return (await listOrgClients(on, orgId))
        .filter((r) => typeof r.created_by === 'string' && wanted.has(r.created_by))
        .map((r) => String(r.client_id));
    },

    async expiry(orgId, clientId) {
      const row = (await deps.adapterFor(db)('Client').find(clientId)) as Record<string, unknown> | undefined;
      return row === undefined || row.org_id !== orgId ? undefined : expiryOf(row);
    },

    async name(orgId, clientId) {
      const own = (await listOrgClients(db, orgId)).find((c) => c.client_id === clientId);
      const name = own?.client_name;
      return typeof name === 'string' && name !== '' ? name : undefined;
    },
  };

  async function removeInTx(tx: Tx, actor: Actor, clientId: string): Promise<void> {
    await deps.adapterFor(tx)('Client').destroy(clientId);
    // Issue 8 point 3: the client's authority ends now, not when its last token expires. Its tokens are
    // refused by every process (the removal row, announced at commit), and what it was given or made is
    // withdrawn in the same transaction (role assignments, the API keys and clients it created).
    await recordClientRemoval(tx, clientId, new Date());
    await deps.onRemoved?.(tx, actor, clientId);
    await recordChange(tx, actor, {
      action: 'oauth.client.removed',
      target: { type: 'oauth_client', id: clientId },
    });
    await notify(tx, OAUTH_CLIENT_REMOVED_CHANNEL, clientId);
  }
}
