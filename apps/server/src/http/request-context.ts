import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../kernel/index.ts';
import type { Authorizer } from '../modules/authz/index.ts';
import type { Principal } from '../modules/identity/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by the auth hook on every /v1 request; routes outside /v1 are anonymous. Reading it on a request that
     * has none is a 401, never a TypeError and a 500: a handler reached without authentication fails closed.
     */
    principal: Principal;
    /** What this request's caller may do (ADR 0029): set with `principal` by the auth hook; fails closed alike. */
    authz: Authorizer;
  }
}

// Per-request slots on the request object itself: no process-wide table holds requests.
const PRINCIPAL = Symbol('principal');
const AUTHZ = Symbol('authz');
type Slots = { [PRINCIPAL]?: Principal; [AUTHZ]?: Authorizer };

/** The principal of a request, or undefined: for hooks that serve anonymous and authenticated requests alike. */
export const principalOf = (req: FastifyRequest): Principal | undefined => (req as Slots)[PRINCIPAL];

/** Call on the root instance before any route is registered; `challenge` is the 401's WWW-Authenticate. */
export function installPrincipal(app: FastifyInstance, challenge: string): void {
  const unauthenticated = () =>
    new AppError('unauthenticated', 'This request is not authenticated.', {
      headers: { 'www-authenticate': challenge },
    });
  app.decorateRequest('principal', {
    getter(this: FastifyRequest): Principal {
      const p = (this as Slots)[PRINCIPAL];
      if (p === undefined) throw unauthenticated();
      return p;
    },
    setter(this: FastifyRequest, p: Principal) {
      (this as Slots)[PRINCIPAL] = p;
    },
  });
  app.decorateRequest('authz', {
    getter(this: FastifyRequest): Authorizer {
      const a = (this as Slots)[AUTHZ];
      if (a === undefined) throw unauthenticated();
      return a;
    },
    setter(this: FastifyRequest, a: Authorizer) {
      (this as Slots)[AUTHZ] = a;
    },
  });
}
