import type { Principal } from '../modules/identity/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every /v1 request; routes outside /v1 are anonymous. */
    principal: Principal;
  }
}
