import { AppError } from '../../kernel/index.ts';
import type { Principal } from './principal.ts';

/** How recent a person's sign-in must be for changes to roles and role assignments (OWASP ASVS V3.7.1). */
export const STEP_UP_MAX_AGE_SECONDS = 600;

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
  throw new AppError(
    'step_up_required',
    `Changing roles needs a sign-in within the last ${STEP_UP_MAX_AGE_SECONDS / 60} minutes; you signed in ${when}. ` +
      'Sign in again (step-up), then retry.',
    bearer
      ? {
          // RFC 9470 §3: tells an OAuth client to get a token with a fresh authentication.
          headers: {
            'www-authenticate': `Bearer error="insufficient_user_authentication", error_description="A recent sign-in is required", max_age=${STEP_UP_MAX_AGE_SECONDS}`,
          },
        }
      : {},
  );
}
