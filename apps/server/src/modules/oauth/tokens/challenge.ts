import { AppError, ERROR_CATALOG } from '../../../kernel/index.ts';
import { ALLOWED_ALGS } from './jws-header.ts';
import { isDpopFailure, type TokenFailure } from './token-failure.ts';

export interface ChallengeContext {
  readonly realm: string;
  /** RFC 9728 §5.1: where a client finds which authorization server to ask, and for what. */
  readonly resourceMetadata: string;
}

const quote = (s: string) => `"${s.replace(/["\\]/g, "'")}"`;

/**
 * The 401 answer for a refused token: `Bearer` or `DPoP` challenge (RFC 6750 §3, RFC 9449 §7.1) with the
 * OAuth error, a description and the resource metadata URL; a key set we could not load is a 503 instead.
 *
 * The challenge is built from constants only: the description is the code's catalogue title, never the
 * failure's detail, which may quote the unverified token (its iss, alg, typ, crit). Node refuses a header with
 * a character above U+00FF or DEL, so echoing one turned a forged token into a 500 (issue 8 point 2); the
 * detail stays in the problem body, where JSON escapes it.
 */
export function tokenProblem(f: TokenFailure, scheme: 'Bearer' | 'DPoP', ctx: ChallengeContext): AppError {
  if (f.code === 'token_verification_unavailable') {
    return new AppError(f.code, f.detail, { headers: { 'retry-after': '5' }, cause: f });
  }
  const useDpop = scheme === 'DPoP' || f.code === 'dpop_required';
  const error = isDpopFailure(f.code) ? 'invalid_dpop_proof' : 'invalid_token';
  const params = [
    `realm=${quote(ctx.realm)}`,
    `error=${quote(error)}`,
    `error_description=${quote(ERROR_CATALOG[f.code].title)}`,
    ...(useDpop ? [`algs=${quote(ALLOWED_ALGS.join(' '))}`] : []),
    `resource_metadata=${quote(ctx.resourceMetadata)}`,
  ];
  return new AppError(f.code, f.detail, {
    headers: { 'www-authenticate': `${useDpop ? 'DPoP' : 'Bearer'} ${params.join(', ')}` },
    cause: f,
  });
}
