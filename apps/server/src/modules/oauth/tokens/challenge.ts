import { OAUTH_ERRORS, OAuthError } from '../oauth.errors.ts';
import { ALLOWED_ALGS } from './jws-header.ts';
import { isDpopFailure, type TokenFailure } from './token-failure.ts';

export interface ChallengeContext {
  readonly realm: string;
  /** RFC 9728 §5.1: where a client finds which authorization server to ask, and for what. */
  readonly resourceMetadata: string;
}

/**
 * The 401 answer for a refused token: `Bearer` or `DPoP` challenge (RFC 6750 §3, RFC 9449 §7.1) with the
 * OAuth error, a description and the resource metadata URL; a key set we could not load is a 503 instead.
 *
 * The challenge is built from constants only: the description is the code's catalogue title, never the
 * failure's detail, which may quote the unverified token (its iss, alg, typ, crit). Node refuses a header with
 * a character above U+00FF or DEL, so echoing one turned a forged token into a 500 (issue 8 point 2); the
 * detail stays in the problem body, where JSON escapes it. The HTTP adapter writes the header (ADR 0034).
 */
export function tokenProblem(f: TokenFailure, scheme: 'Bearer' | 'DPoP', ctx: ChallengeContext): OAuthError {
  if (f.code === 'token_verification_unavailable') {
    return new OAuthError(f.code, f.detail, { retryAfterSeconds: 5, cause: f });
  }
  const useDpop = scheme === 'DPoP' || f.code === 'dpop_required';
  return new OAuthError(f.code, f.detail, {
    challenge: {
      scheme: useDpop ? 'DPoP' : 'Bearer',
      realm: ctx.realm,
      error: isDpopFailure(f.code) ? 'invalid_dpop_proof' : 'invalid_token',
      description: OAUTH_ERRORS[f.code].title,
      algs: useDpop ? ALLOWED_ALGS : undefined,
      resourceMetadata: ctx.resourceMetadata,
    },
    cause: f,
  });
}
