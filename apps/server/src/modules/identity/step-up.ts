import type { Challenge } from '../../kernel/index.ts';
import { stepUpRequired } from './identity.errors.ts';
import type { Principal } from './principal.ts';

/** How recent a person's sign-in must be for changes to roles and role assignments (OWASP ASVS V3.7.1). */
export const STEP_UP_MAX_AGE_SECONDS = 600;

/** RFC 9470 §3: the challenge that asks an OAuth client for a token from a sign-in within the step-up window. */
export const freshSignInChallenge = (): Challenge => ({
  scheme: 'Bearer',
  error: 'insufficient_user_authentication',
  description: 'A recent sign-in is required',
  maxAge: STEP_UP_MAX_AGE_SECONDS,
});

/**
 * Changing who may do what needs a recent sign-in from a person: a stolen session or token alone must not be
 * enough to hand out power. Machine callers (API keys, OAuth clients) have no person to re-authenticate; their
 * credential is itself the proof, and only admin-level ones can reach these changes (see ADR 0007).
 * A person with no known sign-in time is treated as not recent (fail closed).
 */
export function assertRecentSignIn(principal: Principal, now: Date): void {
  if (principal.kind !== 'user') return;
  const at = principal.authTime;
  const ageSeconds = at === undefined ? Number.POSITIVE_INFINITY : (now.getTime() - at.getTime()) / 1000;
  if (ageSeconds <= STEP_UP_MAX_AGE_SECONDS) return;
  const when = at === undefined ? 'at an unknown time' : `at ${at.toISOString()}`;
  const bearer = principal.authMethod === 'bearer_jwt' || principal.authMethod === 'dpop_jwt';
  throw stepUpRequired(
    `Changing roles needs a sign-in within the last ${STEP_UP_MAX_AGE_SECONDS / 60} minutes; you signed in ${when}. ` +
      'Sign in again (step-up), then retry.',
    // RFC 9470 §3: tells an OAuth client to get a token with a fresh authentication.
    bearer ? { challenge: freshSignInChallenge() } : {},
  );
}
