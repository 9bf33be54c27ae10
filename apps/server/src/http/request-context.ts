import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../kernel/index.ts';
import type { Principal } from '../modules/identity/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by the auth hook on every /v1 request; routes outside /v1 are anonymous. Reading it on a request that
     * has none is a 401, never a TypeError and a 500: a handler reached without authentication fails closed.
     */
    principal: Principal;
  }
}

const principals = new WeakMap<object, Principal>();

/** The principal of a request, or undefined: for hooks that serve anonymous and authenticated requests alike. */
export const principalOf = (req: FastifyRequest): Principal | undefined => principals.get(req);

/** Call on the root instance before any route is registered; `challenge` is the 401's WWW-Authenticate. */
export function installPrincipal(app: FastifyInstance, challenge: string): void {
  app.decorateRequest('principal', {
    getter(this: FastifyRequest): Principal {
      const p = principals.get(this);
      if (p === undefined) {
        throw new AppError('unauthenticated', 'This request is not authenticated.', {
          headers: { 'www-authenticate': challenge },
        });
      }
      return p;
    },
    setter(this: FastifyRequest, p: Principal) {
      principals.set(this, p);
    },
  });
}
