import { describe, expect, it } from 'vitest';
import { parseCookieHeader } from '../../identity/index.ts';
import { renderErrorPage, wantsHtml } from '../web/error-page.ts';
import { loginUrl } from './login-links.ts';
import { isSafeMethod, isSameOrigin } from './same-origin.ts';
import { clearCookie, cookieNames, setCookie } from './session-cookie.ts';
import { isRecentAuth, needsTouch, SESSION_IDLE_MS, sessionState } from './session-policy.ts';
import { generateSessionToken, hashSessionToken, looksLikeSessionToken } from './session-token.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('session lifetime', () => {
  const s = { expiresAt: at(12 * 3600_000), lastSeenAt: t0, revokedAt: null };

  it('is active until the idle limit, then idle, and expired at its absolute end', () => {
    expect(sessionState(s, at(SESSION_IDLE_MS - 1))).toBe('active');
    expect(sessionState(s, at(SESSION_IDLE_MS))).toBe('idle');
    expect(sessionState({ ...s, lastSeenAt: at(12 * 3600_000 - 1) }, at(12 * 3600_000))).toBe('expired');
  });

  it('a revoked session stays revoked whatever the times', () => {
    expect(sessionState({ ...s, revokedAt: t0 }, t0)).toBe('revoked');
  });

  it('records activity at most once a minute', () => {
    expect(needsTouch(t0, at(59_999))).toBe(false);
    expect(needsTouch(t0, at(60_000))).toBe(true);
  });

  it('counts a sign-in as recent for 10 minutes, and an unknown sign-in time never', () => {
    expect(isRecentAuth(t0, at(10 * 60_000))).toBe(true);
    expect(isRecentAuth(t0, at(10 * 60_000 + 1))).toBe(false);
    expect(isRecentAuth(undefined, t0)).toBe(false);
  });
});

describe('session token', () => {
  it('is 256 random bits in base64url, stored only as a keyed hash', () => {
    const token = generateSessionToken();
    expect(looksLikeSessionToken(token)).toBe(true);
    expect(generateSessionToken()).not.toBe(token);
    const pepper = Buffer.alloc(32, 1);
    expect(hashSessionToken(pepper, token)).toEqual(hashSessionToken(pepper, token));
    expect(hashSessionToken(Buffer.alloc(32, 2), token)).not.toEqual(hashSessionToken(pepper, token));
    expect(looksLikeSessionToken('nope')).toBe(false);
  });
});

describe('session cookie', () => {
  it('on https is __Host-sc_session: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain', () => {
    const names = cookieNames('https://sc.example.com');
    expect(names.session).toBe('__Host-sc_session');
    const c = setCookie(names, names.session, 'v', 3600);
    expect(c).toMatch(/^__Host-sc_session=v; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('on plain http drops the __Host- prefix and Secure (browsers would refuse them)', () => {
    const names = cookieNames('http://127.0.0.1:8080');
    expect(names).toMatchObject({ session: 'sc_session', loginState: 'sc_sso_state', secure: false });
    expect(setCookie(names, names.session, 'v', 60)).not.toMatch(/Secure/);
    expect(clearCookie(names, names.session)).toMatch(/^sc_session=; Max-Age=0;/);
  });
});

describe('cookie header', () => {
  it('reads name=value pairs, keeps the first of a duplicated name, and skips junk', () => {
    expect(parseCookieHeader('a=1; sc_session=abc;b; =x; sc_session=evil')).toEqual({
      a: '1',
      sc_session: 'abc',
    });
    expect(parseCookieHeader(undefined)).toEqual({});
  });

  it('refuses to write a value that would need encoding', () => {
    expect(() => setCookie(cookieNames('http://x'), 'sc_session', 'a;b', 1)).toThrow(TypeError);
  });
});

describe('CSRF: same origin', () => {
  const pub = 'https://sc.example.com';
  it('accepts our Origin, or Sec-Fetch-Site same-origin when Origin is absent', () => {
    expect(isSameOrigin(pub, 'https://sc.example.com', undefined)).toBe(true);
    expect(isSameOrigin(pub, undefined, 'same-origin')).toBe(true);
  });

  it('refuses another origin, a sibling subdomain, "null", and a request that says nothing', () => {
    expect(isSameOrigin(pub, 'https://evil.example', 'same-origin')).toBe(false);
    expect(isSameOrigin(pub, 'https://app.sc.example.com', undefined)).toBe(false);
    expect(isSameOrigin(pub, 'null', undefined)).toBe(false);
    expect(isSameOrigin(pub, undefined, 'same-site')).toBe(false);
    expect(isSameOrigin(pub, undefined, undefined)).toBe(false);
  });

  it('treats only GET, HEAD and OPTIONS as safe', () => {
    expect(['GET', 'head', 'OPTIONS'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].some(isSafeMethod)).toBe(false);
  });
});

describe('login links', () => {
  const pub = 'http://127.0.0.1:8080';
  it('sends an SSO session to its provider and anyone else to the sign-in page', () => {
    expect(loginUrl(pub, { orgSlug: 'acme', method: 'sso' })).toBe(`${pub}/auth/sso/acme/login`);
    expect(loginUrl(pub, { orgSlug: 'acme', method: 'password' })).toBe(`${pub}/auth/login?org=acme`);
    expect(loginUrl(pub, {})).toBe(`${pub}/auth/login`);
    expect(loginUrl(pub, { orgSlug: 'acme', method: 'sso', returnTo: '/servers' })).toBe(
      `${pub}/auth/sso/acme/login?returnTo=%2Fservers`,
    );
  });
});

describe('sign-in error page', () => {
  it('escapes everything it shows and offers the retry link', () => {
    const html = renderErrorPage({
      title: 'Sign-in refused',
      detail: '<script>alert(1)</script>',
      retryUrl: 'http://x/auth/sso/a/login?returnTo=%2F&"',
      requestId: 'r1',
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('id="retry" href="http://x/auth/sso/a/login?returnTo=%2F&amp;&quot;"');
  });

  it('is chosen for browser navigations, not for API clients', () => {
    expect(wantsHtml('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(true);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml('application/problem+json, text/html')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });
});
