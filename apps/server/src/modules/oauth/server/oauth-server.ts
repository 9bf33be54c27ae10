import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { Provider } from 'oidc-provider';
import type { Actor, Clock } from '../../../kernel/index.ts';
import type { Db, Tx } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import type { FetchFunction } from '../../../platform/egress/index.ts';
import { recordChange } from '../../audit/index.ts';
import type { AuthAttempts } from '../../identity/index.ts';
import { purgeDpopJtis, recordDpopJti } from '../tokens/dpop-replay.repo.ts';
import { createReloadingKeySet, type ReloadingKeySet } from '../tokens/reloading-key-set.ts';
import { DEFAULT_API_SCOPES, issuerOf, resourcesOf } from '../tokens/resources.ts';
import { type CiClients, createCiClients } from './ci-clients.ts';
import { purgeClientRemovals } from './client-removals.repo.ts';
import { createClientRemovals } from './client-removals.ts';
import { interactionRoutes } from './interaction.routes.ts';
import type { FindUser, SessionUser, VerifyPassword } from './oauth-user.ts';
import { findUserById } from './oauth-users.repo.ts';
import { oidcRoutes } from './oidc.routes.ts';
import { createOidcAdapterFactory } from './oidc-adapter.ts';
import { destroyGrant, purgeExpiredModels } from './oidc-models.repo.ts';
import { buildProvider } from './provider.ts';
import { purgeExchanges } from './refresh-exchanges.repo.ts';
import { createRefreshGrace, type RefreshReuse } from './refresh-grace.ts';
import { createSigningKeys } from './signing-keys.ts';
import { createClientAuthThrottle, createTokenEndpoint } from './token-endpoint.ts';

export interface OAuthServerDeps {
  readonly db: Db;
  readonly publicUrl: string;
  readonly clock: Clock;
  /** Subkeys of the master key: seal signing keys, seal stored secrets, sign provider cookies. */
  readonly keys: { readonly signing: Buffer; readonly storage: Buffer; readonly cookies: Buffer };
  /** Egress fetch. */
  readonly fetch: FetchFunction;
  readonly verifyPassword: VerifyPassword;
  readonly sessionUser?: SessionUser | undefined;
  /** Defaults to active users found by id in Postgres. */
  readonly findUser?: FindUser | undefined;
  readonly apiScopes?: readonly string[] | undefined;
  /** Same new pair for a repeated refresh within this window (default 5 s). */
  readonly refreshGraceMs?: number | undefined;
  /** How often to look for keys rotated by another process (default 10 s). */
  readonly keyPollMs?: number | undefined;
  readonly onError?: ((err: unknown, where: string) => void) | undefined;
  /** Failed client authentication at /oidc/token, per source and per client id (issue 8 point 7). */
  readonly attempts?: AuthAttempts | undefined;
  /** Where removals of clients are announced (LISTEN); without it every token check asks Postgres. */
  readonly listenUrl?: string | undefined;
  /** In the transaction that removes a client: withdraw its roles and the API keys and clients it created. */
  readonly onClientRemoved?: ((tx: Tx, actor: Actor, clientId: string) => Promise<void>) | undefined;
}

export interface OAuthServer {
  readonly issuer: string;
  /** Public routes: /oidc/*, interactions, RFC 8414 and RFC 9728 metadata. */
  readonly routes: FastifyPluginAsync;
  /** Our published public keys, for the access-token verifier (reloads on an unknown kid). */
  readonly ownKeys: ReloadingKeySet;
  /** A new signing key per algorithm; the old ones keep verifying until retired. Returns the new kids. */
  rotateKeys(): Promise<string[]>;
  retireKey(kid: string): Promise<boolean>;
  /** Machine clients of an org (client_credentials); the secret is returned once. */
  registerClient: CiClients['register'];
  listClients: CiClients['list'];
  removeClient: CiClients['remove'];
  /** In the caller's transaction: removal cascaded from the credential that created the client. */
  removeClientInTx: CiClients['removeInTx'];
  clientsIssuedBy: CiClients['issuedBy'];
  clientExpiry: CiClients['expiry'];
  clientName: CiClients['name'];
  /** Whether a client was removed (its tokens are refused), as every process sees it within a second. */
  clientRemoved(clientId: string): Promise<boolean>;
  stop(): Promise<void>;
}

const defaultFindUser =
  (db: Db): FindUser =>
  async (id) => {
    const row = await findUserById(db, id);
    return row === undefined || row.status !== 'active'
      ? undefined
      : { id: row.id, orgId: row.org_id, email: row.email, name: row.name };
  };

/** Composes SprintConnect's authorization server: keys, storage, provider, grace window, routes, timers. */
export async function createOAuthServer(deps: OAuthServerDeps): Promise<OAuthServer> {
  const { db, clock, publicUrl } = deps;
  const issuer = issuerOf(publicUrl);
  const resources = resourcesOf(publicUrl);
  const apiScopes = deps.apiScopes ?? DEFAULT_API_SCOPES;
  const findUser = deps.findUser ?? defaultFindUser(db);
  const adapterFor = (on: Db) => createOidcAdapterFactory({ db: on, storageKey: deps.keys.storage, clock });
  const adapter = adapterFor(db);
  const signingKeys = createSigningKeys({ db, sealKey: deps.keys.signing, clock });
  await signingKeys.ensure();

  const cookieKeys = [deps.keys.cookies.toString('base64url')];
  let provider: Provider;
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  let version = '';
  const ownKeys = createReloadingKeySet(() => signingKeys.publicJwks(), { cooldownMs: 5_000 });

  async function refresh(): Promise<void> {
    version = await signingKeys.version();
    provider = buildProvider({
      publicUrl,
      adapter,
      jwks: await signingKeys.privateJwks(),
      cookieKeys,
      apiScopes,
      findUser,
      fetch: deps.fetch,
      onError: deps.onError,
    });
    handler = provider.callback();
    await ownKeys.reload();
  }
  await refresh();

  const dispatch = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const r = req as IncomingMessage & { originalUrl?: string };
    const url = r.url ?? '/';
    if (url.startsWith('/oidc')) {
      r.originalUrl = url;
      r.url = url.slice('/oidc'.length) || '/';
    }
    return handler(req, res);
  };

  async function onReuse(e: RefreshReuse): Promise<void> {
    const run = async (on: Db) => (e.grantId === null ? 0 : destroyGrant(on, e.grantId));
    if (e.orgId === undefined) {
      await run(db);
      deps.onError?.(new Error(`refresh token reuse by ${e.clientId} without a known org`), 'refresh_reuse');
      return;
    }
    const actor: Actor = { type: 'client', id: e.clientId, orgId: e.orgId };
    await withTenant(db, e.orgId, async (tx) => {
      const revoked = await run(tx);
      await recordChange(tx, actor, {
        action: 'security.refresh_token_reuse',
        target: { type: 'oauth_grant', id: e.grantId ?? 'unknown' },
        data: {
          clientId: e.clientId,
          subject: e.subject ?? null,
          afterMs: e.afterMs,
          revokedArtifacts: revoked,
        },
      });
    });
  }

  const grace = createRefreshGrace({
    db,
    storageKey: deps.keys.storage,
    clock,
    graceMs: deps.refreshGraceMs ?? 5_000,
    tokenEndpoint: `${issuer}/token`,
    recordJti: (key, expiresAt) => recordDpopJti(db, key, expiresAt),
    onReuse,
  });

  const removals = createClientRemovals({ db, listenUrl: deps.listenUrl });
  const ciClients = createCiClients({
    db,
    adapterFor,
    validate: (metadata) => provider.Client.validate(metadata),
    onRemoved: deps.onClientRemoved,
    removals,
  });

  const routes: FastifyPluginAsync = async (app) => {
    await app.register(
      oidcRoutes({
        publicUrl,
        resources,
        apiScopes,
        dispatch,
        token: createTokenEndpoint({ db, clock, attempts: deps.attempts, forward: dispatch, refresh: grace }),
        throttle: createClientAuthThrottle(deps.attempts),
      }),
    );
    await app.register(
      interactionRoutes({
        provider: () => provider,
        verifyPassword: deps.verifyPassword,
        sessionUser: deps.sessionUser,
      }),
    );
  };

  const poll = setInterval(() => {
    signingKeys
      .version()
      .then((v) => (v === version ? undefined : refresh()))
      .catch((e: unknown) => deps.onError?.(e, 'signing_key_poll'));
  }, deps.keyPollMs ?? 10_000);
  poll.unref();
  const purge = setInterval(() => {
    const now = clock.now();
    Promise.all([
      purgeExpiredModels(db, now),
      purgeDpopJtis(db, now),
      purgeExchanges(db, now),
      purgeClientRemovals(db, new Date(now.getTime() - 24 * 60 * 60_000)),
    ]).catch((e: unknown) => deps.onError?.(e, 'purge'));
  }, 10 * 60_000);
  purge.unref();

  return {
    issuer,
    routes,
    ownKeys,
    async rotateKeys() {
      const kids = await signingKeys.rotate();
      await refresh();
      return kids;
    },
    async retireKey(kid) {
      const done = await signingKeys.retire(kid);
      if (done) await refresh();
      return done;
    },

    registerClient: ciClients.register,
    listClients: ciClients.list,
    removeClient: ciClients.remove,
    removeClientInTx: ciClients.removeInTx,
    clientsIssuedBy: ciClients.issuedBy,
    clientExpiry: ciClients.expiry,
    clientName: ciClients.name,
    clientRemoved: removals.removed,

    async stop() {
      clearInterval(poll);
      clearInterval(purge);
      await removals.close();
    },
  };
}
