import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CATALOG, isAppError } from '../../../kernel/index.ts';
import { parseCookieHeader } from '../../identity/index.ts';
import type { RequestMeta } from '../accounts/sign-in-audit.ts';
import { renderErrorPage, wantsHtml } from './error-page.ts';

/** HTTP glue shared by the sign-in routes outside /v1 (/auth/...). */
export const cookiesOf = (req: FastifyRequest): Record<string, string | undefined> =>
  parseCookieHeader(req.headers.cookie);

export const requestMeta = (req: FastifyRequest): RequestMeta => ({
  ip: req.ip,
  userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
  requestId: String(req.id),
});

/**
 * A browser navigating the sign-in flow gets an HTML page (what happened, a link to try again); everyone else
 * gets the problem+json of the app's error handler, to which this handler passes the error on.
 */
export function htmlErrorPages(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    if (!isAppError(err) || !wantsHtml(req.headers.accept)) throw err;
    const info = ERROR_CATALOG[err.code];
    return reply
      .status(info.status)
      .headers({ ...(err.headers ?? {}) })
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        renderErrorPage({
          title: info.title,
          detail: err.detail,
          retryUrl: err.links?.login,
          requestId: String(req.id),
        }),
      );
  });
}
