import type { Authorizer } from '../modules/authz/index.ts';
import type { Principal } from '../modules/identity/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every /v1 request; routes outside /v1 are anonymous. */
    principal: Principal;
    /** What this request's caller may do (ADR 0029): set with `principal` by the auth hook. */
    authz: Authorizer;
  }
}
