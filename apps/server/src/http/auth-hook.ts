import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../kernel/index.ts';
import { AppError, ERROR_CATALOG } from '../kernel/index.ts';
import type { Authorizer } from '../modules/authz/index.ts';
import type { Authenticator, AuthRequest, Principal } from '../modules/identity/index.ts';
import { parseCookieHeader } from '../modules/identity/index.ts';
import { isApiRequest, originRelative } from './api-route.ts';

/** Names the invocation class a policy obligation (`@obligation_throttle`) holds the caller to. */
export const THROTTLE_CLASS_HEADER = 'sprintconnect-throttle-class';

const firstHeader = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** What the auth hook hands the module that builds each request's authorizer (the policy module). */
export interface AuthorizerRequest {
  readonly at: Date;
  readonly ip: string;
  readonly log: (entry: Readonly<Record<string, unknown>>) => void;
}
/** RFC 9728 §5.1: the 401 tells an OAuth client which authorization server issues tokens for /v1. */
export const unauthenticatedChallenge = (realm: string, publicUrl: string): string =>
  `Bearer realm="${realm}", resource_metadata="${publicUrl}/.well-known/oauth-protected-resource/v1"`;

/**
 * Authentication runs in onRequest, before body parsing and validation, so an anonymous caller learns nothing
 * about a route's input rules: every /v1 request without valid credentials is a 401 (RFC 6750 §3). The
 * authenticators (API key, access token, session) are tried in order; the principal is then completed (its
 * roles, rbac) and the request gets its authorizer (`req.authz`, ADR 0029).
 */
export function createAuthHook(deps: {
  authenticators: readonly Authenticator[];
  /** Completes an authenticated principal (users' and clients' roles and permissions). */
  resolvePrincipal: (p: Principal) => Promise<Principal>;
  authorizer: (p: Principal, request: AuthorizerRequest) => Promise<Authorizer>;
  clock: Clock;
  realm: string;
  publicUrl: string;
}) {
  const challenge = `Bearer realm="${deps.realm}"`;
  return async function authHook(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!isApiRequest(req)) return;
    const dpop = req.headers.dpop;
    const ar: AuthRequest = {
      authorization: req.headers.authorization,
      dpop: typeof dpop === 'string' ? dpop : undefined,
      cookies: parseCookieHeader(req.headers.cookie),
      method: req.method,
      url: deps.publicUrl + (originRelative(req.url).split('?')[0] ?? ''),
      origin: req.headers.origin,
      fetchSite: firstHeader(req.headers['sec-fetch-site']),
      ip: req.ip,
    };
    const log = (entry: Readonly<Record<string, unknown>>) => {
      req.log.info({ policyDecision: entry }, 'policy decision');
      // A throttle obligation is reported to the caller; `authz.assert` spends one of its rate class (docs/policies.md).
      const throttle = (entry.obligations as { throttle?: unknown } | undefined)?.throttle;
      if (entry.allowed === true && typeof throttle === 'string')
        reply.header(THROTTLE_CLASS_HEADER, throttle);
    };
    const now = deps.clock.now();
    try {
      for (const authenticate of deps.authenticators) {
        const found = await authenticate(ar, now);
        if (found !== undefined) {
          const principal = await deps.resolvePrincipal(found);
          req.principal = principal;
          req.authz = await deps.authorizer(principal, { at: now, ip: req.ip, log });
          return;
        }
      }
    } catch (e) {
      if (
        e instanceof AppError &&
        e.headers?.['www-authenticate'] === undefined &&
        ERROR_CATALOG[e.code].status === 401
      ) {
        throw new AppError(e.code, e.detail, {
          links: e.links === undefined ? undefined : { ...e.links },
          headers: {
            ...e.headers,
            // The catalogue title, never the detail: a detail may quote what the caller sent, and a header
            // may not carry it (issue 8 point 2).
            'www-authenticate': `${challenge}, error="invalid_token", error_description="${ERROR_CATALOG[e.code].title}"`,
          },
        });
      }
      throw e;
    }
    throw new AppError(
      'unauthenticated',
      'Send an API key or access token as `Authorization: Bearer <token>`.',
      { headers: { 'www-authenticate': unauthenticatedChallenge(deps.realm, deps.publicUrl) } },
    );
  };
}
