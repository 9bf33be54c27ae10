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
}

export interface CiClients {
  register(actor: Actor, input: CiClientInput): Promise<{ clientId: string; clientSecret: string }>;
  list(actor: Actor): Promise<{ clientId: string; name: string; scopes: string[] }[]>;
  remove(actor: Actor, clientId: string): Promise<boolean>;
}

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
        org_id: actor.orgId,
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
          data: { name: input.name, scopes: [...input.scopes], dpopBound: input.dpopBound ?? false },
        });
      });
      return { clientId, clientSecret };
    },

    async list(actor) {
      return (await listOrgClients(db, actor.orgId)).map((r) => ({
        clientId: String(r.client_id),
        name: String(r.client_name ?? ''),
        scopes: String(r.scope ?? '')
          .split(' ')
          .filter((s) => s !== ''),
      }));
    },

    async remove(actor, clientId) {
      const owned = (await listOrgClients(db, actor.orgId)).some((r) => r.client_id === clientId);
      if (!owned) return false;
      await withTenant(db, actor.orgId, async (tx) => {
        await deps.adapterFor(tx)('Client').destroy(clientId);
        // Issue 8 point 3: the client's authority ends now, not when its last token expires. Its tokens are
        // refused by every process (the removal row, announced at commit), and what it was given or made is
        // withdrawn in the same transaction (role assignments, the API keys it created).
        await recordClientRemoval(tx, clientId, new Date());
        await deps.onRemoved?.(tx, actor, clientId);
        await recordChange(tx, actor, {
          action: 'oauth.client.removed',
          target: { type: 'oauth_client', id: clientId },
        });
        await notify(tx, OAUTH_CLIENT_REMOVED_CHANNEL, clientId);
      });
      deps.removals?.forget(clientId);
      return true;
    },
  };
}
