import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ApiKeysModule } from '../api-keys/index.ts';
import { PERMISSIONS } from '../authz/index.ts';
import type { EgressPolicyModule } from '../egress-policy/index.ts';
import type { Authenticator, IdentityModule } from '../identity/index.ts';
import type { RbacModule } from '../rbac/index.ts';
import type { SignInModule, VerifyPassword } from '../sign-in/index.ts';
import { oauthClientRoutes } from './server/clients.routes.ts';
import { createOAuthServer, type OAuthServer } from './server/oauth-server.ts';
import { createAccessTokenAuthenticator } from './tokens/access-token-authenticator.ts';
import { scopeVocabulary } from './tokens/resources.ts';
import { trustedIssuerRoutes } from './tokens/trusted-issuers.routes.ts';
import { createTrustedIssuers, type TrustedIssuers } from './tokens/trusted-issuers.ts';

export interface OAuthTestOptions {
  readonly verifyPassword?: VerifyPassword | undefined;
  readonly refreshGraceMs?: number | undefined;
}

export interface OAuthModule {
  readonly name: 'oauth';
  /** SprintConnect's authorization server at /oidc; only where the api role runs. */
  readonly server: OAuthServer | undefined;
  /** Identity providers orgs trust to issue access tokens (ADR 0022). */
  readonly trustedIssuers: TrustedIssuers;
  /** `/oidc/...`, interactions, RFC 8414 and RFC 9728 metadata. */
  readonly publicRoutes: readonly FastifyPluginAsync[];
  /** `/v1/trusted-issuers`, `/v1/oauth-clients`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** Access tokens (ours, or of an org-trusted issuer; DPoP-bound or bearer). */
  readonly authenticators: readonly { readonly from: 'header'; readonly authenticate: Authenticator }[];
  /** The same for the MCP endpoint: tokens whose audience is `PUBLIC_URL/mcp` (the gateway, issue 11). */
  readonly mcpAuthenticators: readonly Authenticator[];
  close(): Promise<void>;
}

/** OAuth 2 (ADR 0009, ADR 0012, ADR 0022): the authorization server and the API as its resource server. */
export async function createOAuthModule(
  deps: Pick<Platform, 'db' | 'clock' | 'keys' | 'egress' | 'listenUrl' | 'log' | 'roles'> & {
    config: Pick<Config, 'publicUrl'>;
    identity: IdentityModule;
    rbac: RbacModule;
    signIn: SignInModule;
    apiKeys: ApiKeysModule;
    egressPolicy: EgressPolicyModule;
    /** Tests only: the password check and the refresh grace window (default 5 s). */
    options?: { oauth?: OAuthTestOptions | undefined } | undefined;
  },
): Promise<OAuthModule> {
  const { db, clock } = deps;
  const { publicUrl } = deps.config;
  const trustedIssuers = createTrustedIssuers({
    db,
    publicUrl,
    fetchFor: deps.egressPolicy.fetchFor,
    checkUrl: deps.egressPolicy.checkUrl,
  });
  const issuerRoutes = trustedIssuerRoutes({ issuers: trustedIssuers, checkUrl: deps.egressPolicy.checkUrl });
  if (!deps.roles.api) {
    return {
      name: 'oauth',
      server: undefined,
      trustedIssuers,
      publicRoutes: [],
      routes: [],
      authenticators: [],
      mcpAuthenticators: [],
      close: async () => {},
    };
  }
  const server = await createOAuthServer({
    db,
    publicUrl,
    clock,
    keys: {
      signing: deps.keys('oauth-signing-keys'),
      storage: deps.keys('oauth-storage'),
      cookies: deps.keys('oauth-cookies'),
    },
    fetch: deps.egress.fetch,
    verifyPassword: deps.options?.oauth?.verifyPassword ?? deps.signIn.verifyPassword,
    attempts: deps.identity.attempts,
    listenUrl: deps.listenUrl,
    // Issue 8 point 3 and D4: a removed client keeps neither its roles nor the keys and clients it made.
    onClientRemoved: async (tx, actor, clientId) => {
      await deps.rbac.users.removeAllInTx(tx, actor, { type: 'client', id: clientId });
      await deps.apiKeys.withdrawIssuedBy(tx, actor, `client:${clientId}`);
    },
    sessionUser: deps.signIn.sessionUser,
    apiScopes: scopeVocabulary(PERMISSIONS),
    refreshGraceMs: deps.options?.oauth?.refreshGraceMs,
    onError: (err, where) => deps.log.error({ err, where }, 'authorization server error'),
  });
  deps.identity.registerClientNames(server.clientName);
  // Issue 10 point 5: a deactivated user keeps no grant here; reactivation does not bring old tokens back.
  deps.rbac.lifecycle.whenDeactivated((tx, _actor, userId) =>
    server.endAccountInTx(tx, userId).then(() => {}),
  );
  // Who can still administer the org counts CI clients that can get tokens, as tokens with all their scopes.
  deps.rbac.administrators.register({
    kind: 'client',
    live: (tx, orgId) => server.liveClients(tx, orgId, clock.now()),
  });
  // Clients are credentials issued on a key's or client's authority: they end with it (ADR 0022 amended).
  deps.apiKeys.registerIssuer({
    async withdrawIssuedBy(tx, actor, creators) {
      for (const clientId of await server.clientsIssuedBy(tx, actor.orgId, creators)) {
        await server.removeClientInTx(tx, actor, clientId);
      }
    },
    clientExpiry: server.clientExpiry,
  });
  const accessTokens = (resource: 'api' | 'mcp') =>
    createAccessTokenAuthenticator({
      db,
      publicUrl,
      resource,
      ownKeys: server.ownKeys.getKey,
      trusted: trustedIssuers,
      clientRemoved: server.clientRemoved,
      userDeactivated: async (orgId, id) =>
        (await deps.rbac.permissions.resolve(orgId, { type: 'user', id })).deactivated === true,
    });
  return {
    name: 'oauth',
    server,
    trustedIssuers,
    publicRoutes: [server.routes],
    routes: [
      issuerRoutes,
      oauthClientRoutes({
        clients: { register: server.registerClient, list: server.listClients, remove: server.removeClient },
        tokenEndpoint: `${server.issuer}/token`,
        roles: deps.rbac.roles,
        users: deps.rbac.users,
        administrators: deps.rbac.administrators,
        expiryBound: deps.apiKeys.management.expiryBound,
        clock,
      }),
    ],
    authenticators: [{ from: 'header', authenticate: accessTokens('api') }],
    mcpAuthenticators: [accessTokens('mcp')],
    close: () => server.stop(),
  };
}
