import { open, seal } from '../../../platform/crypto/index.ts';

/**
 * What the callback needs to check an authorization response (state, nonce, PKCE verifier) travels in a short
 * lived, httpOnly cookie sealed with AES-256-GCM under a server key: the browser carries it but can neither read
 * nor alter it, and no server-side row has to be found (or cleaned up) before the tenant is known. See ADR 0010.
 */
export const LOGIN_STATE_TTL_MS = 10 * 60 * 1000;
const AAD = 'sprintconnect/sso-login-state/v1';

export interface LoginState {
  readonly orgId: string;
  readonly orgSlug: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  readonly stepUp: boolean;
  /** Epoch milliseconds after which the attempt is refused. */
  readonly expiresAt: number;
}

export function sealLoginState(key: Buffer, s: LoginState): string {
  return seal(key, Buffer.from(JSON.stringify(s), 'utf8'), AAD).toString('base64url');
}

/** The state, or undefined when the cookie is missing, altered, not ours or expired. */
export function openLoginState(key: Buffer, cookie: string | undefined, now: Date): LoginState | undefined {
  if (cookie === undefined || cookie === '') return undefined;
  let s: LoginState;
  try {
    s = JSON.parse(open(key, Buffer.from(cookie, 'base64url'), AAD).toString('utf8')) as LoginState;
  } catch {
    return undefined;
  }
  if (typeof s.expiresAt !== 'number' || s.expiresAt <= now.getTime()) return undefined;
  return s;
}

/**
 * Only a path on this site may be a post-login destination: an absolute or scheme-relative URL (`//evil`,
 * `/\evil`) would make the login an open redirect.
 */
export function safeReturnTo(raw: string | undefined): string {
  if (raw === undefined || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return '/';
  return raw;
}
