import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../kernel/index.ts';
import { AppError } from '../kernel/index.ts';
import type { ApiKeyService } from '../modules/identity/index.ts';

/**
 * Authentication runs in onRequest, before body parsing and validation, so an anonymous caller learns nothing
 * about a route's input rules: every /v1 request without valid credentials is a 401 (RFC 6750 §3).
 */
export function createAuthHook(deps: { apiKeys: ApiKeyService; clock: Clock; realm: string }) {
  const challenge = `Bearer realm="${deps.realm}"`;
  return async function authHook(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (!req.url.startsWith('/v1/') && req.url !== '/v1') return;
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m === null) {
      throw new AppError(
        'unauthenticated',
        'Send an API key or access token as `Authorization: Bearer <token>`.',
        {
          headers: { 'www-authenticate': challenge },
        },
      );
    }
    try {
      req.principal = await deps.apiKeys.authenticate(m[1]!, deps.clock.now());
    } catch (e) {
      if (e instanceof AppError) {
        throw new AppError(e.code, e.detail, {
          headers: {
            'www-authenticate': `${challenge}, error="invalid_token", error_description="${e.detail}"`,
          },
        });
      }
      throw e;
    }
  };
}
