import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseCookieHeader } from '../../identity/index.ts';
import type { RequestMeta } from '../accounts/sign-in-audit.ts';
import { renderErrorPage } from './error-page.ts';

/** HTTP glue shared by the sign-in routes outside /v1 (/auth/...). */
export const cookiesOf = (req: FastifyRequest): Record<string, string | undefined> =>
  parseCookieHeader(req.headers.cookie);

export const requestMeta = (req: FastifyRequest): RequestMeta => ({
  ip: req.ip,
  userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
  requestId: String(req.id),
});

/**
 * A browser navigating the sign-in flow gets an HTML page (what happened, a link to try again) instead of the
 * problem+json; the HTTP adapter answers with it, with the problem's status and headers (ADR 0034).
 */
export function htmlErrorPages(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.config = {
      ...route.config,
      errorPage: (p) =>
        renderErrorPage({
          title: p.title,
          detail: p.detail,
          retryUrl: p.links?.login,
          requestId: p.requestId,
        }),
    };
  });
}
