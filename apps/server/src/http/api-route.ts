import type { FastifyRequest } from 'fastify';

const underV1 = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

/**
 * The path of a request target as the router reads it: the origin of an absolute-form target (RFC 9112 §3.2.2)
 * dropped, the query dropped, percent-escapes decoded. Only for requests no route matched.
 */
export function routedPath(url: string): string {
  const path = (url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '') || '/').split(/[?#]/)[0] ?? '/';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The request target without the origin of an absolute-form target, as the client wrote its path. */
export const originRelative = (url: string): string =>
  url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '') || '/';

/**
 * Whether a request is for the /v1 API, decided from what the router matched (the route pattern), never from
 * the raw target: `/%761/me`, `/v1/%6De` and `http://host/v1/me` all reach the `/v1/me` handler, so a prefix
 * test on `req.url` let them past authentication (issue 8 point 2, attack of its fixes). A request no route
 * matched is judged by its decoded path, so it answers 401 rather than 404 to an anonymous caller the same way
 * whatever its spelling.
 */
export function isApiRequest(req: FastifyRequest): boolean {
  const route = req.routeOptions.url;
  return route !== undefined ? underV1(route) : underV1(routedPath(req.url));
}
