import type { InvitationLookup } from '../accounts/invitations.repo.ts';
import { loginUrl } from '../sessions/login-links.ts';
import { SignInError } from '../sign-in.errors.ts';

/**
 * Why an invitation link cannot be used, in words a person can act on (issue 10 point 5: "reuse or expiry ->
 * clear problem"). Throws unless the invitation is open and unexpired.
 */
export function assertUsable(
  found: InvitationLookup | undefined,
  now: Date,
  publicUrl: string,
): asserts found is InvitationLookup {
  if (found === undefined) {
    throw new SignInError(
      'invitation_not_found',
      'This invitation link is not valid (mistyped or cut short); ask an administrator for a new one.',
    );
  }
  const login = { login: loginUrl(publicUrl, { orgSlug: found.org_slug }) };
  if (found.accepted_at !== null) {
    throw new SignInError(
      'invitation_used',
      `This invitation was already accepted on ${found.accepted_at.toISOString()}; each link works once. ` +
        'Sign in with the password you chose.',
      { links: login },
    );
  }
  if (found.voided_at !== null) {
    throw new SignInError(
      'invitation_revoked',
      'This invitation link is no longer valid: a newer invitation replaced it, or the account was ' +
        'deactivated. Use the newest link you received, or ask an administrator.',
    );
  }
  if (found.expires_at.getTime() <= now.getTime()) {
    throw new SignInError(
      'invitation_expired',
      `This invitation expired on ${found.expires_at.toISOString()}; ask an administrator to invite you again.`,
    );
  }
}

export const userStatusConflict = (email: string, why: string) =>
  new SignInError('user_status_conflict', `${email} ${why}.`);
