import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  OrgSlugParams,
  problemResponses,
  SsoCallbackQuery,
  SsoConfigBody,
  SsoConfigSchema,
  SsoLoginQuery,
} from '@sprintconnect/contracts';
import type { Clock } from '../../../kernel/index.ts';
import { actorOf } from '../../identity/index.ts';
import { clearCookie, cookieNames, setCookie } from '../sessions/session-cookie.ts';
import { SESSION_ABSOLUTE_MS } from '../sessions/session-policy.ts';
import type { SessionService } from '../sessions/sessions.service.ts';
import { assertRecentAuth } from '../sessions/step-up.ts';
import { LOGIN_STATE_TTL_MS } from '../sso/login-state.ts';
import type { SsoConfigService } from '../sso/sso-config.service.ts';
import type { SsoLoginService } from '../sso/sso-login.service.ts';
import { cookiesOf, htmlErrorPages, requestMeta } from './auth-http.ts';

const tags = ['sso'];

/**
 * `/v1/sso`: an org's identity provider. Guarded by `sso:write` (owners) for both reading and writing: the
 * configuration reveals where the org's logins go. Changing it also needs a recent sign-in (step-up).
 */
export function ssoApiRoutes(deps: {
  config: SsoConfigService;
  publicUrl: string;
  clock: Clock;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/sso',
      {
        schema: {
          tags,
          summary: "Get the organization's single sign-on configuration",
          description: 'The client secret is never returned; `clientSecretSet` says one is stored.',
          response: { 200: SsoConfigSchema, ...problemResponses(401, 403, 404) },
        },
      },
      async (req) => {
        req.authz.assert('sso:write', { type: 'org', orgId: req.principal.orgId });
        return deps.config.get(actorOf(req.principal, String(req.id)));
      },
    );

    app.put(
      '/v1/sso',
      {
        schema: {
          tags,
          summary: "Configure the organization's OpenID provider",
          description:
            'Discovers the provider from `issuer` (its /.well-known/openid-configuration) before saving. Needs a ' +
            'sign-in within the last 10 minutes when called with a session (step-up). Register `redirectUri` ' +
            'from the response at the provider.',
          body: SsoConfigBody,
          response: { 200: SsoConfigSchema, ...problemResponses(401, 403, 413, 415, 422) },
        },
      },
      async (req) => {
        req.authz.assert('sso:write', { type: 'org', orgId: req.principal.orgId });
        assertRecentAuth(req.principal, deps.clock.now(), 'Changing single sign-on', deps.publicUrl);
        return deps.config.put(actorOf(req.principal, String(req.id)), req.body);
      },
    );
  };
}

/** `/auth/sso/...`: the browser's way through the org's provider (anonymous, outside /v1). */
export function ssoLoginRoutes(deps: {
  login: SsoLoginService;
  sessions: SessionService;
  publicUrl: string;
}): FastifyPluginAsyncTypebox {
  const names = cookieNames(deps.publicUrl);
  return async (app) => {
    htmlErrorPages(app);

    app.get(
      '/auth/sso/:orgSlug/login',
      {
        schema: {
          tags: ['auth'],
          summary: "Sign in with the organization's identity provider",
          description:
            'Redirects to the provider with PKCE (S256), state and nonce; the attempt is kept in a sealed, ' +
            'httpOnly cookie for 10 minutes. `stepUp=true` asks the provider to authenticate again.',
          params: OrgSlugParams,
          querystring: SsoLoginQuery,
          security: [],
          response: problemResponses(404, 422, 502),
        },
      },
      async (req, reply) => {
        const r = await deps.login.begin(req.params.orgSlug, req.query, requestMeta(req));
        return reply
          .header('set-cookie', setCookie(names, names.loginState, r.loginState, LOGIN_STATE_TTL_MS / 1000))
          .header('cache-control', 'no-store')
          .redirect(r.redirectTo, 302);
      },
    );

    app.get(
      '/auth/sso/callback',
      {
        schema: {
          tags: ['auth'],
          summary: 'Where the identity provider sends the browser back',
          description:
            'Checks state, nonce and PKCE, signs the person in (creating or updating the user from the ' +
            "provider's claims) and sets the session cookie, then redirects to where the sign-in started.",
          querystring: SsoCallbackQuery,
          security: [],
          response: problemResponses(400, 403, 404, 502),
        },
      },
      async (req, reply) => {
        const cookies = cookiesOf(req);
        // The attempt is single use: its cookie goes whatever the outcome.
        reply.header('set-cookie', clearCookie(names, names.loginState));
        const current = await deps.sessions.find(cookies[names.session]);
        const query = new URLSearchParams(req.url.split('?')[1] ?? '');
        const r = await deps.login.complete(query, cookies[names.loginState], current, requestMeta(req));
        return reply
          .header('set-cookie', [
            clearCookie(names, names.loginState),
            setCookie(names, names.session, r.opened.token, SESSION_ABSOLUTE_MS / 1000),
          ])
          .header('cache-control', 'no-store')
          .redirect(`${deps.publicUrl}${r.returnTo}`, 303);
      },
    );
  };
}
