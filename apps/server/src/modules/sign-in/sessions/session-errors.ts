import { AppError } from '../../../kernel/index.ts';
import { loginUrl } from './login-links.ts';
import type { FoundSession } from './sessions.service.ts';

/** RFC 9110 §11.6.1: a 401 names a challenge; the cookie has no scheme of its own, so the API's one is used. */
const CHALLENGE = 'Bearer realm="sprintconnect"';

/** 401 for a session that cannot be used, with the `login` link to sign in again. */
export function signInAgain(
  code: 'session_expired' | 'session_invalid',
  detail: string,
  publicUrl: string,
  s?: FoundSession,
): AppError {
  const login = loginUrl(publicUrl, { orgSlug: s?.orgSlug, method: s?.method });
  return new AppError(code, `${detail} Sign in again at ${login}.`, {
    links: { login },
    headers: { 'www-authenticate': CHALLENGE },
  });
}

/** The session if it is usable now, or the 401 that says why not. */
export function usableSession(s: FoundSession | undefined, publicUrl: string): FoundSession {
  if (s === undefined)
    throw signInAgain('session_invalid', 'You are not signed in (no valid session cookie).', publicUrl);
  if (s.state === 'revoked')
    throw signInAgain('session_invalid', 'This session has ended (signed out).', publicUrl, s);
  if (s.state === 'expired' || s.state === 'idle') {
    const why = s.state === 'idle' ? 'after a period without activity' : 'at the end of its lifetime';
    throw signInAgain('session_expired', `Your session expired ${why}.`, publicUrl, s);
  }
  return s;
}

export function crossSite(publicUrl: string): AppError {
  return new AppError(
    'csrf_rejected',
    `A change made with the session cookie must come from ${new URL(publicUrl).origin} (Origin header); ` +
      'scripts and tools should use an API key instead.',
  );
}
