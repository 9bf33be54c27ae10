import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AcceptInvitationBody,
  IdParams,
  InvitationPageQuery,
  InvitedUserSchema,
  InviteUserBody,
  problemResponses,
  SessionSchema,
} from '@sprintconnect/contracts';
import type { InvitationService } from '../invitations/invitations.service.ts';
import { isSameOrigin } from '../sessions/same-origin.ts';
import { cookieNames, setCookie } from '../sessions/session-cookie.ts';
import { crossSite } from '../sessions/session-errors.ts';
import { SESSION_ABSOLUTE_MS } from '../sessions/session-policy.ts';
import type { SessionService } from '../sessions/sessions.service.ts';
import { cookiesOf, htmlErrorPages, requestMeta } from './auth-http.ts';
import { renderInvitationPage } from './invitation-page.ts';

const tags = ['users'];

/** `POST /v1/users` and `POST /v1/users/{id}/invitation`: admins invite local users (issue 10 point 5). */
export function inviteApiRoutes(invitations: InvitationService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/users',
      {
        schema: {
          tags,
          summary: 'Invite a user',
          description:
            'Creates a user in state `invited` with these roles and returns a single-use invitation link ' +
            '(`invitation.url`, shown only in this response) that expires after ' +
            '`SPRINTCONNECT_INVITATION_TTL_HOURS` (7 days by default). Opening it lets the person choose a ' +
            'password, which activates the account. Needs `users:write`, every permission of each role, and a ' +
            'sign-in within 10 minutes for people. An email already used in the org is a 409.',
          body: InviteUserBody,
          response: { 201: InvitedUserSchema, ...problemResponses(401, 403, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        req.authz.assert('users:write', { type: 'org', orgId: req.principal.orgId });
        const created = await invitations.invite(req.authz, String(req.id), req.body);
        return reply
          .status(201)
          .header('location', `/v1/users/${created.user.id}`)
          .header('cache-control', 'no-store')
          .send(created);
      },
    );

    app.post(
      '/v1/users/:id/invitation',
      {
        schema: {
          tags,
          summary: 'Invite a user again',
          description:
            'A new invitation link for a user who has not accepted one; every earlier link of that user stops ' +
            'working (410 invitation_revoked). A user who already signs in, or is deactivated, is a 409. Needs ' +
            '`users:write` and every permission the user holds.',
          params: IdParams,
          response: { 201: InvitedUserSchema, ...problemResponses(401, 403, 404, 409, 422) },
        },
      },
      async (req, reply) => {
        req.authz.assert('users:write', { type: 'user', orgId: req.principal.orgId, id: req.params.id });
        const created = await invitations.reinvite(req.authz, String(req.id), req.params.id);
        return reply.status(201).header('cache-control', 'no-store').send(created);
      },
    );
  };
}

/**
 * `/auth/invitation` (the page an invitation link opens) and `/auth/invitation/accept` (its form post, or JSON).
 * The token travels in the query string, which the access log never shows (log-redaction.ts), and the page
 * sends no Referer onwards.
 */
export function invitationRoutes(deps: {
  invitations: InvitationService;
  sessions: SessionService;
  publicUrl: string;
}): FastifyPluginAsyncTypebox {
  const names = cookieNames(deps.publicUrl);
  return async (app) => {
    await app.register(formbody);
    htmlErrorPages(app);

    app.get(
      '/auth/invitation',
      {
        schema: {
          tags: ['auth'],
          summary: 'The page an invitation link opens',
          querystring: InvitationPageQuery,
          security: [],
          response: problemResponses(
            {
              404: ['invitation_not_found'],
              410: ['invitation_expired', 'invitation_used', 'invitation_revoked'],
            },
            422,
          ),
        },
      },
      async (req, reply) => {
        const page = await deps.invitations.describe(req.query.token);
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .send(renderInvitationPage({ publicUrl: deps.publicUrl, token: req.query.token, ...page }));
      },
    );

    app.post(
      '/auth/invitation/accept',
      {
        schema: {
          tags: ['auth'],
          summary: 'Accept an invitation',
          description:
            'Sets the password (at least 12 characters), activates the account, uses the link up and signs ' +
            'the person in (session cookie). A form post is redirected to the console. A used, replaced or ' +
            'expired link is a 410 naming which.',
          body: AcceptInvitationBody,
          security: [],
          response: {
            200: SessionSchema,
            ...problemResponses(
              403,
              {
                404: ['invitation_not_found'],
                410: ['invitation_expired', 'invitation_used', 'invitation_revoked'],
              },
              415,
              422,
            ),
          },
        },
      },
      async (req, reply) => {
        const origin = req.headers.origin;
        // Login CSRF: another site must not sign a browser in to an account of its choosing.
        if (origin !== undefined && !isSameOrigin(deps.publicUrl, origin, undefined))
          throw crossSite(deps.publicUrl);
        const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
        const current = await deps.sessions.find(cookiesOf(req)[names.session]);
        const r = await deps.invitations.accept(req.body, current, requestMeta(req));
        reply
          .header('set-cookie', setCookie(names, names.session, r.opened.token, SESSION_ABSOLUTE_MS / 1000))
          .header('cache-control', 'no-store');
        if (form) return reply.redirect(`${deps.publicUrl}/`, 303);
        return r.view;
      },
    );
  };
}
