import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

export const SIGN_IN_ERRORS = defineErrors({
  session_expired: { status: 401, title: 'Session expired' },
  session_invalid: { status: 401, title: 'Session not valid' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  csrf_rejected: { status: 403, title: 'Cross-site request refused' },
  sso_not_configured: { status: 404, title: 'Single sign-on not configured' },
  sso_state_invalid: { status: 400, title: 'Sign-in attempt invalid or expired' },
  sso_denied: { status: 403, title: 'Sign-in refused' },
  sso_provider_unavailable: { status: 502, title: 'Identity provider unavailable' },
  sso_discovery_failed: { status: 422, title: 'Identity provider discovery failed' },
  // Invitations (issue 10 point 5, ADR 0038).
  user_status_conflict: { status: 409, title: 'User in another state' },
  invitation_not_found: { status: 404, title: 'Invitation not found' },
  invitation_expired: { status: 410, title: 'Invitation expired' },
  invitation_used: { status: 410, title: 'Invitation already used' },
  invitation_revoked: { status: 410, title: 'Invitation no longer valid' },
});

export type SignInErrorCode = CodeOf<typeof SIGN_IN_ERRORS>;

export class SignInError extends AppError<SignInErrorCode> {}
