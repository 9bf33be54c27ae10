import * as oidc from 'openid-client';
import type { Clock } from '../../../kernel/index.ts';
import { AppError } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { findOrgForLogin } from '../accounts/login-orgs.repo.ts';
import { type RequestMeta, recordSignInFailure } from '../accounts/sign-in-audit.ts';
import { upsertSsoAccount } from '../accounts/sso-account.ts';
import { loginUrl } from '../sessions/login-links.ts';
import type { FoundSession, OpenedSession, SessionService } from '../sessions/sessions.service.ts';
import { completeSignIn } from '../sessions/sign-in.ts';
import { LOGIN_STATE_TTL_MS, openLoginState, safeReturnTo, sealLoginState } from './login-state.ts';
import type { OidcClients } from './oidc-client.ts';
import { classifyOidcError } from './oidc-errors.ts';
import type { SsoConfigService } from './sso-config.service.ts';
import { idpIdentityOf } from './sso-identity.ts';

export interface SsoLoginService {
  /** Where to send the browser (the provider's authorization endpoint) and the sealed attempt for its cookie. */
  begin(
    orgSlug: string,
    opts: { returnTo?: string | undefined; stepUp?: boolean | undefined },
    meta: RequestMeta,
  ): Promise<{ redirectTo: string; loginState: string }>;
  /** Checks the provider's answer against the attempt and signs the person in. */
  complete(
    query: URLSearchParams,
    loginState: string | undefined,
    current: FoundSession | undefined,
    meta: RequestMeta,
  ): Promise<{ opened: OpenedSession; returnTo: string }>;
}

const SCOPE = 'openid email profile';

export function createSsoLoginService(deps: {
  db: Db;
  config: SsoConfigService;
  oidc: OidcClients;
  sessions: SessionService;
  stateKey: Buffer;
  publicUrl: string;
  clock: Clock;
  /** After a first sign-in created the user (the default role is granted here). */
  onUserCreated: (orgId: string, userId: string) => Promise<void>;
}): SsoLoginService {
  const { db, clock } = deps;
  const redirectUri = `${deps.publicUrl}/auth/sso/callback`;
  const retryLink = (orgSlug: string | undefined, returnTo?: string) => ({
    login: loginUrl(deps.publicUrl, { orgSlug, method: orgSlug === undefined ? undefined : 'sso', returnTo }),
  });

  const notConfigured = (slug: string) =>
    new AppError(
      'sso_not_configured',
      `The organization "${slug}" has no single sign-on configured. Sign in with a password if you have one, ` +
        'or ask an administrator to configure the identity provider.',
      { links: { login: loginUrl(deps.publicUrl, { orgSlug: slug }) } },
    );

  async function failed(
    orgId: string,
    slug: string,
    reason: string,
    detail: string,
    meta: RequestMeta,
    returnTo?: string,
  ): Promise<AppError> {
    await recordSignInFailure(db, clock, { orgId, method: 'sso', reason, detail, meta });
    const code =
      reason === 'state_invalid'
        ? 'sso_state_invalid'
        : reason === 'provider_unavailable'
          ? 'sso_provider_unavailable'
          : reason === 'not_configured'
            ? 'sso_not_configured'
            : 'sso_denied';
    const lead: Record<typeof code, string> = {
      sso_state_invalid: 'This sign-in attempt could not be verified',
      sso_provider_unavailable: 'The identity provider is not available',
      sso_not_configured: 'Single sign-on is not configured',
      sso_denied: 'The sign-in was refused',
    };
    return new AppError(code, `${lead[code]}: ${detail}. You can try again.`, {
      links: retryLink(slug, returnTo),
    });
  }

  async function providerConfig(orgId: string) {
    const p = await withTenant(db, orgId, (tx) => deps.config.provider(tx, orgId));
    if (p === undefined) return undefined;
    return { ...p, client: await deps.oidc.configFor(orgId, p.version, p.settings) };
  }

  return {
    async begin(orgSlug, opts, meta) {
      const org = await findOrgForLogin(db, orgSlug);
      if (org === undefined) throw notConfigured(orgSlug);
      const returnTo = safeReturnTo(opts.returnTo);
      if (!org.sso_configured) {
        await recordSignInFailure(db, clock, {
          orgId: org.id,
          method: 'sso',
          reason: 'not_configured',
          meta,
        });
        throw notConfigured(orgSlug);
      }
      let provider: Awaited<ReturnType<typeof providerConfig>>;
      try {
        provider = await providerConfig(org.id);
      } catch (e) {
        throw await failed(
          org.id,
          orgSlug,
          'provider_unavailable',
          classifyOidcError(e).detail,
          meta,
          returnTo,
        );
      }
      if (provider === undefined) throw notConfigured(orgSlug);

      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const params: Record<string, string> = {
        redirect_uri: redirectUri,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      // Step-up: the provider must authenticate the person again now (OIDC Core §3.1.2.1), checked on return.
      if (opts.stepUp === true) Object.assign(params, { prompt: 'login', max_age: '0' });
      const url = oidc.buildAuthorizationUrl(provider.client, params);
      const loginState = sealLoginState(deps.stateKey, {
        orgId: org.id,
        orgSlug,
        state,
        nonce,
        codeVerifier,
        returnTo,
        stepUp: opts.stepUp === true,
        expiresAt: clock.now().getTime() + LOGIN_STATE_TTL_MS,
      });
      return { redirectTo: url.href, loginState };
    },

    async complete(query, cookie, current, meta) {
      const attempt = openLoginState(deps.stateKey, cookie, clock.now());
      if (attempt === undefined) {
        // No readable attempt: the org is unknown, so there is nobody to attribute an audit event to.
        throw new AppError(
          'sso_state_invalid',
          'This sign-in attempt is unknown or older than 10 minutes (or cookies are blocked). Start again.',
          { links: retryLink(undefined) },
        );
      }
      const { orgId, orgSlug, returnTo } = attempt;
      const providerError = query.get('error');
      if (providerError !== null) {
        const description = query.get('error_description')?.slice(0, 300);
        const reason = ['temporarily_unavailable', 'server_error'].includes(providerError)
          ? 'provider_unavailable'
          : 'denied';
        const said = description === undefined ? providerError : `${providerError}: ${description}`;
        throw await failed(orgId, orgSlug, reason, `the identity provider answered ${said}`, meta, returnTo);
      }

      let provider: Awaited<ReturnType<typeof providerConfig>>;
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        provider = await providerConfig(orgId);
        if (provider === undefined) {
          throw await failed(orgId, orgSlug, 'not_configured', 'it was removed during the sign-in', meta);
        }
        const callbackUrl = new URL(redirectUri);
        callbackUrl.search = query.toString();
        tokens = await oidc.authorizationCodeGrant(provider.client, callbackUrl, {
          pkceCodeVerifier: attempt.codeVerifier,
          expectedState: attempt.state,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
          ...(attempt.stepUp ? { maxAge: 0 } : {}),
        });
      } catch (e) {
        if (e instanceof AppError) throw e;
        const c = classifyOidcError(e);
        const reason =
          c.kind === 'state' ? 'state_invalid' : c.kind === 'denied' ? 'denied' : 'provider_unavailable';
        throw await failed(orgId, orgSlug, reason, c.detail, meta, returnTo);
      }

      const who = await idpIdentityOf(provider.client, tokens);
      if (!who.ok) throw await failed(orgId, orgSlug, 'denied', who.detail, meta, returnTo);
      const domain = who.identity.email.split('@')[1] ?? '';
      if (provider.allowedEmailDomains.length > 0 && !provider.allowedEmailDomains.includes(domain)) {
        const allowed = provider.allowedEmailDomains.join(', ');
        throw await failed(
          orgId,
          orgSlug,
          'denied',
          `${who.identity.email} is not in an allowed domain (${allowed})`,
          meta,
          returnTo,
        );
      }

      // When the provider says when the person authenticated, that is the sign-in time (never in the future).
      const idpAuthTime = tokens.claims()?.auth_time;
      const now = clock.now();
      const authTime =
        attempt.stepUp || idpAuthTime === undefined
          ? now
          : new Date(Math.min(idpAuthTime * 1000, now.getTime()));
      try {
        const { opened, created, userId } = await withTenant(db, orgId, async (tx) => {
          const { account, created } = await upsertSsoAccount(tx, orgId, who.identity, {
            clock,
            requestId: meta.requestId,
          });
          const r = await completeSignIn(
            tx,
            { sessions: deps.sessions, clock },
            {
              orgId,
              orgSlug,
              account,
              method: 'sso',
              authTime,
              meta,
              replacing: current,
              stepUp: attempt.stepUp,
            },
          );
          return { opened: r.opened, created, userId: account.id };
        });
        if (created) await deps.onUserCreated(orgId, userId);
        return { opened, returnTo };
      } catch (e) {
        if (e instanceof AppError && e.code === 'sso_denied') {
          throw await failed(orgId, orgSlug, 'denied', e.detail.replace(/\.$/, ''), meta, returnTo);
        }
        throw e;
      }
    },
  };
}
