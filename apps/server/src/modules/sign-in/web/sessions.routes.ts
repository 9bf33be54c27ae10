import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses, StepUpBody, StepUpResponse } from '@sprintconnect/contracts';
import type { Clock } from '../../../kernel/index.ts';
import { AppError } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';
import { loginUrl } from '../sessions/login-links.ts';
import { isSameOrigin } from '../sessions/same-origin.ts';
import { clearCookie, cookieNames } from '../sessions/session-cookie.ts';
import { crossSite, usableSession } from '../sessions/session-errors.ts';
import type { SessionService } from '../sessions/sessions.service.ts';
import { cookiesOf, htmlErrorPages, requestMeta } from './auth-http.ts';

/** Re-proving with a password lives with local accounts (password/); sign-in.module.ts hands it over. */
export type PasswordStepUp = (
  session: NonNullable<Awaited<ReturnType<SessionService['find']>>>,
  password: string,
  meta: ReturnType<typeof requestMeta>,
) => Promise<Date>;

/** `/auth/logout` and `/auth/step-up`: cookie-authenticated, so both insist on our own origin (CSRF). */
export function sessionRoutes(deps: {
  db: Db;
  sessions: SessionService;
  stepUpWithPassword: PasswordStepUp;
  publicUrl: string;
  clock: Clock;
}): FastifyPluginAsyncTypebox {
  const names = cookieNames(deps.publicUrl);
  const sameOrigin = (h: Record<string, string | string[] | undefined>) =>
    isSameOrigin(
      deps.publicUrl,
      typeof h.origin === 'string' ? h.origin : undefined,
      typeof h['sec-fetch-site'] === 'string' ? h['sec-fetch-site'] : undefined,
    );

  return async (app) => {
    htmlErrorPages(app);

    app.post(
      '/auth/logout',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign out',
          description:
            'Ends the session on the server and clears its cookie. Signing out twice is not an error.',
          security: [],
          response: { 204: { type: 'null', description: 'Signed out' }, ...problemResponses(403) },
        },
      },
      async (req, reply) => {
        if (!sameOrigin(req.headers)) throw crossSite(deps.publicUrl);
        const s = await deps.sessions.find(cookiesOf(req)[names.session]);
        if (s !== undefined && s.state === 'active') {
          const meta = requestMeta(req);
          await withTenant(deps.db, s.orgId, async (tx) => {
            await deps.sessions.revoke(tx, s.orgId, s.id);
            await recordChange(
              tx,
              { type: 'user', id: s.userId, orgId: s.orgId, requestId: meta.requestId },
              {
                action: 'auth.logout',
                target: { type: 'user', id: s.userId },
                data: { sessionId: s.id, method: s.method, ip: meta.ip ?? null },
              },
              deps.clock,
            );
          });
        }
        reply.header('set-cookie', clearCookie(names, names.session)).header('cache-control', 'no-store');
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/auth/step-up',
      {
        schema: {
          tags: ['auth'],
          summary: 'Confirm it is you before a sensitive change',
          description:
            'With `password`: checks it and refreshes the session sign-in time. Without, for a single sign-on ' +
            'session: answers where to re-authenticate at the identity provider (`redirectTo`).',
          body: StepUpBody,
          security: [],
          response: { 200: StepUpResponse, ...problemResponses(401, 403, 422, 429) },
        },
      },
      async (req) => {
        const s = usableSession(await deps.sessions.find(cookiesOf(req)[names.session]), deps.publicUrl);
        if (!sameOrigin(req.headers)) throw crossSite(deps.publicUrl);
        if (req.body.password !== undefined) {
          const at = await deps.stepUpWithPassword(s, req.body.password, requestMeta(req));
          return { steppedUp: true as const, authTime: at.toISOString() };
        }
        if (s.method === 'sso') {
          const to = loginUrl(deps.publicUrl, { orgSlug: s.orgSlug, method: 'sso' });
          return { steppedUp: false as const, redirectTo: `${to}?stepUp=true` };
        }
        throw new AppError('validation_failed', 'password is required to confirm a password session.', {
          errors: [{ pointer: '/password', detail: 'is required' }],
        });
      },
    );
  };
}
