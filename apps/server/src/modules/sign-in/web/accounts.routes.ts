import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LocalLoginBody, LoginPageQuery, problemResponses, SessionSchema } from '@sprintconnect/contracts';
import { AppError, isAppError } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { findOrgForLogin } from '../accounts/login-orgs.repo.ts';
import type { LocalLoginService } from '../password/local-login.service.ts';
import { loginUrl } from '../sessions/login-links.ts';
import { isSameOrigin } from '../sessions/same-origin.ts';
import { cookieNames, setCookie } from '../sessions/session-cookie.ts';
import { crossSite } from '../sessions/session-errors.ts';
import { SESSION_ABSOLUTE_MS } from '../sessions/session-policy.ts';
import type { SessionService } from '../sessions/sessions.service.ts';
import { safeReturnTo } from '../sso/login-state.ts';
import { cookiesOf, htmlErrorPages, requestMeta } from './auth-http.ts';
import { renderLoginPage } from './login-page.ts';

/** `/auth/login` (the page) and `/auth/local/login` (JSON for the console, form posts for the page). */
export function accountRoutes(deps: {
  db: Db;
  local: LocalLoginService;
  sessions: SessionService;
  publicUrl: string;
}): FastifyPluginAsyncTypebox {
  const names = cookieNames(deps.publicUrl);
  return async (app) => {
    await app.register(formbody);
    htmlErrorPages(app);

    app.get(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'The sign-in page',
          querystring: LoginPageQuery,
          security: [],
          response: problemResponses(422),
        },
      },
      async (req, reply) => {
        const org = req.query.org === undefined ? undefined : await findOrgForLogin(deps.db, req.query.org);
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(
            renderLoginPage({
              publicUrl: deps.publicUrl,
              orgSlug: req.query.org,
              ssoConfigured: org?.sso_configured === true,
              returnTo: safeReturnTo(req.query.returnTo),
            }),
          );
      },
    );

    app.post(
      '/auth/local/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password',
          description:
            'For local accounts (the first admin, installs without an identity provider). Sets the session ' +
            'cookie. Repeated failures make the account wait before the next attempt (429 with Retry-After).',
          body: LocalLoginBody,
          security: [],
          response: { 200: SessionSchema, ...problemResponses(401, 403, 415, 422, 429) },
        },
      },
      async (req, reply) => {
        const origin = req.headers.origin;
        // Login CSRF: another site must not sign a browser in to an account of its choosing.
        if (origin !== undefined && !isSameOrigin(deps.publicUrl, origin, undefined))
          throw crossSite(deps.publicUrl);
        const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
        const current = await deps.sessions.find(cookiesOf(req)[names.session]);
        let r: Awaited<ReturnType<LocalLoginService['login']>>;
        try {
          r = await deps.local.login(req.body, current, requestMeta(req));
        } catch (e) {
          if (!isAppError(e) || e.links !== undefined) throw e;
          // Where to try again: the sign-in page for this org (what a form post's error page links to).
          const login = loginUrl(deps.publicUrl, {
            orgSlug: req.body.org,
            returnTo: safeReturnTo(req.body.returnTo),
          });
          throw new AppError(e.code, e.detail, { headers: { ...(e.headers ?? {}) }, links: { login } });
        }
        reply
          .header('set-cookie', setCookie(names, names.session, r.opened.token, SESSION_ABSOLUTE_MS / 1000))
          .header('cache-control', 'no-store');
        if (form) return reply.redirect(`${deps.publicUrl}${safeReturnTo(req.body.returnTo)}`, 303);
        return r.view;
      },
    );
  };
}
