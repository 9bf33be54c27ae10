import { AppError } from '../../../kernel/index.ts';
import type { Principal } from '../../identity/index.ts';
import { isRecentAuth, STEP_UP_WINDOW_MS } from './session-policy.ts';

/**
 * Sensitive changes (single sign-on settings) need a person who signed in within the step-up window: a stolen
 * session cookie alone must not be enough to redirect the org's logins. Machine callers (API keys, clients)
 * have no person to re-authenticate. `links.stepUp` is where to re-prove (POST, then retry the change).
 */
export function assertRecentAuth(principal: Principal, now: Date, what: string, publicUrl: string): void {
  if (principal.kind !== 'user' || isRecentAuth(principal.authTime, now)) return;
  const when =
    principal.authTime === undefined ? 'at an unknown time' : `at ${principal.authTime.toISOString()}`;
  throw new AppError(
    'step_up_required',
    `${what} needs a sign-in within the last ${STEP_UP_WINDOW_MS / 60_000} minutes; you signed in ${when}. ` +
      'Confirm it is you with POST /auth/step-up (your password, or your identity provider), then retry.',
    { links: { stepUp: `${publicUrl}/auth/step-up` } },
  );
}
