import type { FastifyPluginAsync } from 'fastify';
import type { Actor, Clock } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import type { CheckUrlResult, FetchFunction } from '../../platform/egress/index.ts';
import type { AuthAttempts, Authenticator } from '../identity/index.ts';
import type { Secrets } from '../tenancy/index.ts';
import { ensureFirstAdmin } from './accounts/first-admin.ts';
import { createLocalLoginService } from './password/local-login.service.ts';
import { sessionAuthenticator } from './sessions/session-authenticator.ts';
import { createSessionService, type SessionService } from './sessions/sessions.service.ts';
import { createOidcClients } from './sso/oidc-client.ts';
import { createSsoConfigService } from './sso/sso-config.service.ts';
import { createSsoLoginService } from './sso/sso-login.service.ts';
import { accountRoutes } from './web/accounts.routes.ts';
import { sessionRoutes } from './web/sessions.routes.ts';
import { ssoApiRoutes, ssoLoginRoutes } from './web/sso.routes.ts';

/** Grants roles on behalf of the system (the access module's users.grantAsSystem, through main.ts). */
export type GrantRoles = (actor: Actor, userId: string, roles: readonly string[]) => Promise<void>;

export interface SignIn {
  readonly sessions: SessionService;
  /** The session cookie, for the /v1 authenticator list. */
  readonly authenticator: Authenticator;
  /** `/auth/...`: SSO, password sign-in, sign-in page, logout, step-up. */
  readonly publicRoutes: FastifyPluginAsync[];
  /** `/v1/sso`. */
  readonly routes: FastifyPluginAsync[];
  /** First start: the local owner from SPRINTCONNECT_ADMIN_EMAIL / _PASSWORD (owner database connection). */
  bootstrapAdmin(
    ownerDb: Db,
    orgId: string,
    admin: { email: string; password: string },
  ): Promise<{ created: boolean; userId: string }>;
}

/** The built-in role a person gets on their first SSO sign-in; admins grant more. */
export const SSO_DEFAULT_ROLE = 'viewer';

/**
 * Story 1.1's parts (sessions, the org's OpenID provider, local passwords) assembled from their dependencies.
 * main.ts supplies the platform pieces and the access module's hooks (identity cannot import access: access
 * depends on identity's Principal).
 */
export function createSignIn(deps: {
  db: Db;
  secrets: Secrets;
  /** Org-scoped egress: each org's SSO traffic obeys its egress rules and outbound rate limit (ADR 0014). */
  egress: {
    fetchFor: (orgId: string) => FetchFunction;
    checkUrl: (orgId: string, url: string) => Promise<CheckUrlResult>;
  };
  sessionPepper: Buffer;
  loginStateKey: Buffer;
  publicUrl: string;
  clock: Clock;
  grantRoles: GrantRoles;
  /** Failed password sign-ins per source network, shared by all processes (issue 8 point 7). */
  attempts?: AuthAttempts | undefined;
}): SignIn {
  const { db, clock, publicUrl } = deps;
  const sessions = createSessionService({ db, pepper: deps.sessionPepper, clock });
  const oidc = createOidcClients({ fetchFor: deps.egress.fetchFor, now: () => clock.now().getTime() });
  const config = createSsoConfigService({
    db,
    secrets: deps.secrets,
    oidc,
    checkUrl: deps.egress.checkUrl,
    publicUrl,
    clock,
  });
  const login = createSsoLoginService({
    db,
    config,
    oidc,
    sessions,
    stateKey: deps.loginStateKey,
    publicUrl,
    clock,
    onUserCreated: (orgId, userId) =>
      deps.grantRoles({ type: 'system', id: 'sso', orgId }, userId, [SSO_DEFAULT_ROLE]),
  });
  const local = createLocalLoginService({ db, sessions, clock, attempts: deps.attempts });

  return {
    sessions,
    authenticator: sessionAuthenticator({ db, sessions, publicUrl }),
    publicRoutes: [
      ssoLoginRoutes({ login, sessions, publicUrl }),
      accountRoutes({ db, local, sessions, publicUrl }),
      sessionRoutes({ db, sessions, stepUpWithPassword: local.stepUp, publicUrl, clock }),
    ],
    routes: [ssoApiRoutes({ config, publicUrl, clock })],
    async bootstrapAdmin(ownerDb, orgId, admin) {
      const r = await ensureFirstAdmin(ownerDb, orgId, admin, clock);
      if (r.created) await deps.grantRoles({ type: 'system', id: 'bootstrap', orgId }, r.userId, ['owner']);
      return r;
    },
  };
}
