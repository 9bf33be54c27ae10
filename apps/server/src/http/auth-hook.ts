import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../kernel/index.ts';
import { AppError } from '../kernel/index.ts';
import type { Authenticator, AuthRequest } from '../modules/identity/index.ts';

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * Authentication runs in onRequest, before body parsing and validation, so an anonymous caller learns nothing
 * about a route's input rules: every /v1 request without valid credentials is a 401 (RFC 6750 §3). The
 * authenticators (API key, access token, session) are tried in order.
 */
export function createAuthHook(deps: {
  authenticators: readonly Authenticator[];
  clock: Clock;
  realm: string;
  publicUrl: string;
}) {
  const challenge = `Bearer realm="${deps.realm}"`;
  return async function authHook(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (!req.url.startsWith('/v1/') && req.url !== '/v1') return;
    const dpop = req.headers.dpop;
    const ar: AuthRequest = {
      authorization: req.headers.authorization,
      dpop: typeof dpop === 'string' ? dpop : undefined,
      cookies: parseCookies(req.headers.cookie),
      method: req.method,
      url: deps.publicUrl + (req.url.split('?')[0] ?? ''),
    };
    const now = deps.clock.now();
    try {
      for (const authenticate of deps.authenticators) {
        const principal = await authenticate(ar, now);
        if (principal !== undefined) {
          req.principal = principal;
          return;
        }
      }
    } catch (e) {
      if (
        e instanceof AppError &&
        e.headers?.['www-authenticate'] === undefined &&
        e.code !== 'rate_limited'
      ) {
        throw new AppError(e.code, e.detail, {
          headers: {
            ...e.headers,
            'www-authenticate': `${challenge}, error="invalid_token", error_description="${e.detail.replace(/"/g, "'")}"`,
          },
        });
      }
      throw e;
    }
    throw new AppError(
      'unauthenticated',
      'Send an API key or access token as `Authorization: Bearer <token>`.',
      {
        headers: { 'www-authenticate': challenge },
      },
    );
  };
}
