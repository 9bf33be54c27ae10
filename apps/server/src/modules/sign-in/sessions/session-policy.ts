/**
 * Session lifetimes (OWASP Session Management Cheat Sheet: absolute and idle timeouts, both enforced on the
 * server). A person re-proves who they are for sensitive changes when their last sign-in is older than the
 * step-up window.
 */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 60 * 60 * 1000;
export const STEP_UP_WINDOW_MS = 10 * 60 * 1000;
/** last_seen_at is written at most this often per session, so reads do not become a write per request. */
export const LAST_SEEN_RESOLUTION_MS = 60 * 1000;

export interface SessionTimes {
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
  readonly revokedAt: Date | null;
}

export type SessionState = 'active' | 'expired' | 'idle' | 'revoked';

export function sessionState(s: SessionTimes, now: Date): SessionState {
  if (s.revokedAt !== null) return 'revoked';
  if (s.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (s.lastSeenAt.getTime() + SESSION_IDLE_MS <= now.getTime()) return 'idle';
  return 'active';
}

export const needsTouch = (lastSeenAt: Date, now: Date): boolean =>
  now.getTime() - lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS;

/** True when the person signed in (or stepped up) within the step-up window. */
export const isRecentAuth = (authTime: Date | undefined, now: Date): boolean =>
  authTime !== undefined && now.getTime() - authTime.getTime() <= STEP_UP_WINDOW_MS;
