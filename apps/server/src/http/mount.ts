import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Clock } from '../kernel/index.ts';
import type { Authorizer } from '../modules/authz/index.ts';
import type { Authenticator, Principal } from '../modules/identity/index.ts';
import { type AuthorizerRequest, createAuthHook } from './auth-hook.ts';
import { principalOf } from './request-context.ts';

/**
 * What a module's factory hands the HTTP adapter (ADR 0028): its routes, its authenticators and the request
 * hooks it needs. The adapter mounts every module's parts in one loop, in the order the modules were built.
 */
export interface Mountable {
  /** Under /v1 (their URLs include /v1): authenticated, admitted, authorized per request. */
  readonly routes?: readonly FastifyPluginAsync[] | undefined;
  /** Outside /v1 (OAuth/OIDC endpoints, sign-in pages, cron), anonymous to the auth hook. */
  readonly publicRoutes?: readonly FastifyPluginAsync[] | undefined;
  readonly authenticators?: readonly ContributedAuthenticator[] | undefined;
  readonly hooks?: RequestHooks | undefined;
}

/**
 * One way to authenticate and where its credential travels. Credentials in the `Authorization` header are tried
 * before cookies: a request that names its credential explicitly is not decided by an ambient one (RFC 6750 §2).
 */
export interface ContributedAuthenticator {
  readonly from: 'header' | 'cookie';
  readonly authenticate: Authenticator;
}

/** A per-caller admission step: headers for the response (RateLimit-*), merged into `upstream`, or a 429. */
export type Admission = (
  principal: Principal,
  request: { readonly method: string; readonly route: string | undefined },
  upstream: Readonly<Record<string, string>>,
) => Promise<Record<string, string>>;

export interface ServedRequest {
  /** The route pattern (`/v1/servers/:id`), or undefined when no route matched. */
  readonly route: string | undefined;
  readonly method: string;
  readonly status: number;
  readonly requestId: string;
  readonly at: Date;
}

export interface RequestHooks {
  /** After authentication: completes the principal (rbac: its current roles and permissions). */
  readonly principal?: ((p: Principal) => Promise<Principal>) | undefined;
  /** The request's authorizer (`req.authz`); exactly one module offers it (policy, ADR 0029). */
  readonly authorizer?: ((p: Principal, request: AuthorizerRequest) => Promise<Authorizer>) | undefined;
  /** Before the route, the caller's own limits (an API key's rate), then its org's (rate, budget). */
  readonly admitCaller?: Admission | undefined;
  readonly admitOrg?: Admission | undefined;
  /** After each response to an authenticated caller (API-key use records); must not block. */
  readonly served?: ((p: Principal, r: ServedRequest) => void) | undefined;
  /** Fastify hooks a module installs itself (idempotency: preHandler, onSend, onRoute). */
  readonly install?: ((app: FastifyInstance) => void) | undefined;
}

const hooksOf = (mounts: readonly Mountable[]) =>
  mounts.flatMap((m) => (m.hooks === undefined ? [] : [m.hooks]));

/**
 * The request pipeline every /v1 route runs behind: authentication (header credentials, then cookies), the
 * principal completed, its authorizer, then admission (caller, then org); the modules' own hooks; the served
 * record after the response.
 */
export function installRequestHooks(
  app: FastifyInstance,
  deps: {
    mounts: readonly Mountable[];
    extraAuthenticators: readonly Authenticator[];
    clock: Clock;
    publicUrl: string;
  },
): void {
  const hooks = hooksOf(deps.mounts);
  const contributed = deps.mounts.flatMap((m) => m.authenticators ?? []);
  const authenticators = [
    ...deps.extraAuthenticators,
    ...contributed.filter((a) => a.from === 'header').map((a) => a.authenticate),
    ...contributed.filter((a) => a.from === 'cookie').map((a) => a.authenticate),
  ];
  const completers = hooks.flatMap((h) => (h.principal === undefined ? [] : [h.principal]));
  const authorizers = hooks.flatMap((h) => (h.authorizer === undefined ? [] : [h.authorizer]));
  const authorizer = authorizers[0];
  if (authorizers.length !== 1 || authorizer === undefined) {
    throw new Error(`exactly one module must offer the request authorizer (found ${authorizers.length})`);
  }
  app.addHook(
    'onRequest',
    createAuthHook({
      authenticators,
      resolvePrincipal: async (p) => {
        let out = p;
        for (const complete of completers) out = await complete(out);
        return out;
      },
      authorizer,
      clock: deps.clock,
      realm: 'sprintconnect',
      publicUrl: deps.publicUrl,
    }),
  );

  // The key's own limit first, then its org's limit and budget; one set of RateLimit fields for all.
  const admissions = [
    ...hooks.flatMap((h) => (h.admitCaller === undefined ? [] : [h.admitCaller])),
    ...hooks.flatMap((h) => (h.admitOrg === undefined ? [] : [h.admitOrg])),
  ];
  if (admissions.length > 0) {
    app.addHook('onRequest', async (req, reply) => {
      const principal = principalOf(req);
      if (principal === undefined) return;
      const request = { method: req.method, route: req.routeOptions.url };
      let headers: Record<string, string> = {};
      for (const admit of admissions) headers = await admit(principal, request, headers);
      reply.headers(headers);
    });
  }
  for (const h of hooks) h.install?.(app);
  const served = hooks.flatMap((h) => (h.served === undefined ? [] : [h.served]));
  if (served.length > 0) {
    app.addHook('onResponse', async (req, reply) => {
      const principal = principalOf(req);
      if (principal === undefined) return;
      const r = {
        route: req.routeOptions.url,
        method: req.method,
        status: reply.statusCode,
        requestId: String(req.id),
        at: deps.clock.now(),
      };
      for (const s of served) s(principal, r);
    });
  }
}
