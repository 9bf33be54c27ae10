import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction, InteractionResults, Provider } from 'oidc-provider';
import { isAppError } from '../../../kernel/index.ts';
import { parseCookieHeader } from '../../identity/index.ts';
import { PAGE_HEADERS, renderConsentPage, renderErrorPage, renderLoginPage } from './interaction-views.ts';
import type { OAuthUser, SessionUser, VerifyPassword } from './oauth-user.ts';
import { isFirstParty } from './provider.ts';

export interface InteractionDeps {
  readonly provider: () => Provider;
  readonly verifyPassword: VerifyPassword;
  readonly sessionUser?: SessionUser | undefined;
}

type Form = Record<string, string | undefined>;

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).headers(PAGE_HEADERS).send(body);

/**
 * The sign-in and consent steps of the authorization code flow (oidc-provider "interactions"). Small on
 * purpose: a console session already in the browser signs the user in; otherwise a local-account form posts
 * to `verifyPassword`. First-party clients (console, CLI) skip consent; others get an Allow/Deny page.
 * The interaction cookie is SameSite=Lax and bound to the uid, so a cross-site form post finds no interaction.
 */
export function interactionRoutes(deps: InteractionDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(formbody);

    async function load(req: FastifyRequest, reply: FastifyReply): Promise<Interaction | undefined> {
      try {
        const details = await deps.provider().interactionDetails(req.raw, reply.raw);
        if (details.uid === (req.params as { uid: string }).uid) return details;
      } catch {
        // expired or unknown interaction
      }
      html(
        reply,
        400,
        renderErrorPage('interaction_expired', 'This sign-in has expired; start again from the application.'),
      );
      return undefined;
    }

    async function finish(
      req: FastifyRequest,
      reply: FastifyReply,
      result: InteractionResults,
      merge: boolean,
    ) {
      reply.hijack();
      try {
        await deps
          .provider()
          .interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: merge });
      } catch (err) {
        req.log.error({ err }, 'interaction could not be finished');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, PAGE_HEADERS);
          reply.raw.end(
            renderErrorPage('server_error', 'Something went wrong; start again from the application.'),
          );
        }
      }
    }

    async function consent(req: FastifyRequest, reply: FastifyReply, details: Interaction) {
      const provider = deps.provider();
      const accountId = details.session?.accountId;
      const clientId = String(details.params.client_id);
      if (accountId === undefined) {
        return html(reply, 400, renderErrorPage('login_required', 'Sign in first.'));
      }
      const grant =
        (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
        new provider.Grant({ accountId, clientId });
      const d = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (d.missingOIDCScope !== undefined) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims !== undefined) grant.addOIDCClaims(d.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '));
      }
      const grantId = await grant.save();
      await finish(req, reply, { consent: details.grantId === undefined ? { grantId } : {} }, true);
    }

    async function loginPage(
      reply: FastifyReply,
      details: Interaction,
      form: Form,
      error?: string,
      status = 401,
    ) {
      const client = await deps.provider().Client.find(String(details.params.client_id));
      return html(
        reply,
        error === undefined ? 200 : status,
        renderLoginPage({
          uid: details.uid,
          clientName: client?.clientName ?? String(details.params.client_id),
          org: form.org ?? 'default',
          email: form.email ?? '',
          ...(error === undefined ? {} : { error }),
        }),
      );
    }

    app.get('/oidc/interaction/:uid', { schema: { hide: true } }, async (req, reply) => {
      const details = await load(req, reply);
      if (details === undefined) return reply;
      const clientId = String(details.params.client_id);
      if (details.prompt.name === 'login') {
        // A console session signs the user in, unless the client asked for a fresh sign-in (prompt=login,
        // max_age): then the password is asked for again.
        const fresh = details.prompt.reasons.some((r) => r === 'login_prompt' || r === 'max_age');
        const user = fresh ? undefined : await deps.sessionUser?.(parseCookieHeader(req.headers.cookie));
        if (user !== undefined) {
          const ts = user.authTime === undefined ? {} : { ts: Math.floor(user.authTime.getTime() / 1000) };
          return finish(req, reply, { login: { accountId: user.id, ...ts } }, false);
        }
        return loginPage(reply, details, {});
      }
      if (details.prompt.name === 'consent') {
        if (isFirstParty(clientId)) return consent(req, reply, details);
        const client = await deps.provider().Client.find(clientId);
        const d = details.prompt.details as {
          missingResourceScopes?: Record<string, string[]>;
          missingOIDCScope?: string[];
        };
        const scopes = [
          ...new Set([...(d.missingOIDCScope ?? []), ...Object.values(d.missingResourceScopes ?? {}).flat()]),
        ];
        let redirectHost = '';
        try {
          redirectHost = new URL(String(details.params.redirect_uri)).host;
        } catch {
          // the provider validated it; keep the page rendering anyway
        }
        return html(
          reply,
          200,
          renderConsentPage({
            uid: details.uid,
            clientId,
            clientName: client?.clientName ?? clientId,
            scopes,
            resources: Object.keys(d.missingResourceScopes ?? {}),
            redirectHost,
          }),
        );
      }
      return html(
        reply,
        400,
        renderErrorPage('unsupported_prompt', `Unsupported step ${details.prompt.name}.`),
      );
    });

    app.post('/oidc/interaction/:uid/login', { schema: { hide: true } }, async (req, reply) => {
      const details = await load(req, reply);
      if (details === undefined) return reply;
      if (details.prompt.name !== 'login') {
        return html(reply, 400, renderErrorPage('invalid_request', 'This step is not a sign-in.'));
      }
      const form = (req.body ?? {}) as Form;
      let user: OAuthUser | undefined;
      try {
        user = await deps.verifyPassword(form.org ?? '', form.email ?? '', form.password ?? '', {
          ip: req.ip,
          userAgent: req.headers['user-agent'],
          requestId: String(req.id),
        });
      } catch (e) {
        if (isAppError(e) && e.code === 'rate_limited') return loginPage(reply, details, form, e.detail, 429);
        throw e;
      }
      if (user === undefined) {
        return loginPage(reply, details, form, 'The organization, email or password is not right.');
      }
      return finish(req, reply, { login: { accountId: user.id, amr: ['pwd'] } }, false);
    });

    app.post('/oidc/interaction/:uid/confirm', { schema: { hide: true } }, async (req, reply) => {
      const details = await load(req, reply);
      if (details === undefined) return reply;
      if (details.prompt.name !== 'consent') {
        return html(reply, 400, renderErrorPage('invalid_request', 'This step is not a consent.'));
      }
      return consent(req, reply, details);
    });

    app.post('/oidc/interaction/:uid/abort', { schema: { hide: true } }, async (req, reply) => {
      const details = await load(req, reply);
      if (details === undefined) return reply;
      return finish(
        req,
        reply,
        { error: 'access_denied', error_description: 'The user cancelled the request.' },
        false,
      );
    });
  };
}
