/**
 * The session cookie. On https it is `__Host-sc_session`: the prefix makes browsers insist on Secure, Path=/ and
 * no Domain, so a sibling subdomain cannot plant or overwrite it (RFC 6265bis §4.1.3.2). Browsers refuse a
 * `__Host-` cookie without Secure, and a Secure cookie over plain http is dropped (except on localhost by some
 * browsers only), so on an http public URL (local development) the cookie is `sc_session` without the prefix.
 * See ADR 0010.
 */
export interface CookieNames {
  readonly session: string;
  readonly loginState: string;
  readonly secure: boolean;
}

export function cookieNames(publicUrl: string): CookieNames {
  const secure = new URL(publicUrl).protocol === 'https:';
  return secure
    ? { session: '__Host-sc_session', loginState: '__Host-sc_sso_state', secure }
    : { session: 'sc_session', loginState: 'sc_sso_state', secure };
}

/**
 * Our cookies hold only base64url values (tokens, sealed state), so Set-Cookie needs no encoding. Written here
 * rather than with @fastify/cookie: its standalone serialize works only after the plugin has been registered,
 * and registering the plugin in several encapsulated route plugins would clash with a global registration.
 */
const VALUE = /^[A-Za-z0-9_-]*$/;

export function setCookie(names: CookieNames, name: string, value: string, maxAgeSeconds: number): string {
  if (!VALUE.test(value)) throw new TypeError('cookie values must be base64url');
  const secure = names.secure ? '; Secure' : '';
  return `${name}=${value}; Max-Age=${Math.floor(maxAgeSeconds)}; Path=/; HttpOnly${secure}; SameSite=Lax`;
}

export const clearCookie = (names: CookieNames, name: string): string => setCookie(names, name, '', 0);
