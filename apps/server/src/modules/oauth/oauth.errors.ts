import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

/** Refusals of an access token (RFC 9068) or of its DPoP proof (RFC 9449). */
export const OAUTH_ERRORS = defineErrors({
  token_invalid: { status: 401, title: 'Access token invalid' },
  token_expired: { status: 401, title: 'Access token expired' },
  token_not_yet_valid: { status: 401, title: 'Access token not yet valid' },
  token_algorithm_not_allowed: { status: 401, title: 'Token algorithm not allowed' },
  token_key_unknown: { status: 401, title: 'Token signing key unknown' },
  token_key_header_rejected: { status: 401, title: 'Token offers its own key' },
  token_crit_unsupported: { status: 401, title: 'Unsupported critical token header' },
  token_issuer_untrusted: { status: 401, title: 'Token issuer not trusted' },
  token_audience_mismatch: { status: 401, title: 'Token audience mismatch' },
  token_type_invalid: { status: 401, title: 'Wrong token type' },
  token_revoked: { status: 401, title: 'Access token revoked' },
  token_issuer_ambiguous: { status: 401, title: 'Token organization ambiguous' },
  token_verification_unavailable: { status: 503, title: 'Token keys unavailable' },
  dpop_invalid: { status: 401, title: 'DPoP proof invalid' },
  dpop_replay: { status: 401, title: 'DPoP proof replayed' },
  dpop_key_mismatch: { status: 401, title: 'DPoP key mismatch' },
  dpop_required: { status: 401, title: 'DPoP proof required' },
});

export type OAuthErrorCode = CodeOf<typeof OAUTH_ERRORS>;

export class OAuthError extends AppError<OAuthErrorCode> {}
