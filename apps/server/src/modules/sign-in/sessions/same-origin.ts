/**
 * CSRF defence for cookie-authenticated state changes: the request must say it comes from our own origin.
 * Browsers send `Origin` on every non-GET request (Fetch §3.1, "origin-only" for form posts too) and
 * `Sec-Fetch-Site` on all requests; a page on another site cannot forge either. With neither header the request
 * is refused (fail closed): a browser always sends one, and non-browser clients use API keys, not cookies.
 * See ADR 0010 for why this and not a synchronizer token.
 */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isSafeMethod = (method: string): boolean => SAFE_METHODS.has(method.toUpperCase());

export function isSameOrigin(
  publicUrl: string,
  origin: string | undefined,
  fetchSite: string | undefined,
): boolean {
  if (origin !== undefined && origin !== '') return origin === new URL(publicUrl).origin;
  return fetchSite === 'same-origin';
}
