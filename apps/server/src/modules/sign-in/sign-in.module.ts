import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Actor } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { EgressPolicyModule } from '../egress-policy/index.ts';
import type { Authenticator, IdentityModule } from '../identity/index.ts';
import type { RbacModule } from '../rbac/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import { ensureFirstAdmin } from './accounts/first-admin.ts';
import type { SessionUser, VerifyPassword } from './accounts/signed-in-user.ts';
import { createLocalLoginService } from './password/local-login.service.ts';
import { localPasswordVerifier } from './password/password-verifier.ts';
import { sessionAuthenticator } from './sessions/session-authenticator.ts';
import { sessionUserVia } from './sessions/session-user.ts';
import { createSessionService, type SessionService } from './sessions/sessions.service.ts';
import { createOidcClients } from './sso/oidc-client.ts';
import { createSsoConfigService } from './sso/sso-config.service.ts';
import { createSsoLoginService } from './sso/sso-login.service.ts';
import { accountRoutes } from './web/accounts.routes.ts';
import { sessionRoutes } from './web/sessions.routes.ts';
import { ssoApiRoutes, ssoLoginRoutes } from './web/sso.routes.ts';

export interface SignInModule {
  readonly name: 'sign-in';
  readonly sessions: SessionService;
  /** The session cookie, tried after the bearer credentials. */
  readonly authenticators: readonly { readonly from: 'cookie'; readonly authenticate: Authenticator }[];
  /** `/auth/...`: SSO, password sign-in, sign-in page, logout, step-up. */
  readonly publicRoutes: readonly FastifyPluginAsync[];
  /** `/v1/sso`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** A local account's password, as the authorization server's sign-in step checks it (same throttling). */
  readonly verifyPassword: VerifyPassword;
  /** The person already signed in to the console in this browser, for the authorization server. */
  readonly sessionUser: SessionUser;
  /** First start: the local owner from SPRINTCONNECT_ADMIN_EMAIL / _PASSWORD (owner database connection). */
  bootstrapAdmin(
    ownerDb: Db,
    orgId: string,
    admin: { email: string; password: string },
  ): Promise<{ created: boolean; userId: string }>;
}

/** The built-in role a person gets on their first SSO sign-in; admins grant more. */
const SSO_DEFAULT_ROLE = 'viewer';

/** Story 1.1 (ADR 0010): sessions, the org's OpenID provider and local passwords, one module. */
export function createSignInModule(
  deps: Pick<Platform, 'db' | 'clock' | 'keys'> & {
    config: Pick<Config, 'publicUrl'>;
    tenancy: TenancyModule;
    identity: IdentityModule;
    rbac: RbacModule;
    /** Each org's SSO traffic obeys its egress rules and outbound rate limit (ADR 0014). */
    egressPolicy: EgressPolicyModule;
  },
): SignInModule {
  const { db, clock } = deps;
  const { publicUrl } = deps.config;
  const grantRoles = (actor: Actor, userId: string, names: readonly string[]) =>
    deps.rbac.users.grantAsSystem(actor, { type: 'user', id: userId }, names);
  const sessions = createSessionService({ db, pepper: deps.keys('session-token-pepper'), clock });
  const oidc = createOidcClients({ fetchFor: deps.egressPolicy.fetchFor, now: () => clock.now().getTime() });
  const config = createSsoConfigService({
    db,
    secrets: deps.tenancy.secrets,
    oidc,
    checkUrl: deps.egressPolicy.checkUrl,
    publicUrl,
    clock,
  });
  const login = createSsoLoginService({
    db,
    config,
    oidc,
    sessions,
    stateKey: deps.keys('sso-login-state'),
    publicUrl,
    clock,
    onUserCreated: (orgId, userId) =>
      grantRoles({ type: 'system', id: 'sso', orgId }, userId, [SSO_DEFAULT_ROLE]),
  });
  // Failed password sign-ins per source network, shared by all processes (issue 8 point 7).
  const attempts = deps.identity.attempts;
  const local = createLocalLoginService({ db, sessions, clock, attempts });
  const authenticate = sessionAuthenticator({ db, sessions, publicUrl });
  return {
    name: 'sign-in',
    sessions,
    authenticators: [{ from: 'cookie', authenticate }],
    publicRoutes: [
      ssoLoginRoutes({ login, sessions, publicUrl }),
      accountRoutes({ db, local, sessions, publicUrl }),
      sessionRoutes({ db, sessions, stepUpWithPassword: local.stepUp, publicUrl, clock }),
    ],
    routes: [ssoApiRoutes({ config, publicUrl, clock })],
    verifyPassword: localPasswordVerifier({ db, clock, attempts }),
    sessionUser: sessionUserVia(authenticate, publicUrl, clock),
    async bootstrapAdmin(ownerDb, orgId, admin) {
      const r = await ensureFirstAdmin(ownerDb, orgId, admin, clock);
      if (r.created) await grantRoles({ type: 'system', id: 'bootstrap', orgId }, r.userId, ['owner']);
      return r;
    },
  };
}
