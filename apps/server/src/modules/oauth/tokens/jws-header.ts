import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { TokenFailure } from './token-failure.ts';

/** Asymmetric algorithms only: `none` and the HMAC family (HS*) can never verify an access token (RFC 8725 §3.1). */
export const ALLOWED_ALGS: readonly string[] = Object.freeze(['ES256', 'RS256', 'EdDSA']);

/** Header parameters by which a token offers its own key. Trusting them lets anyone sign (RFC 8725 §3.10). */
const KEY_OFFERING = ['jku', 'x5u', 'jwk', 'x5c'] as const;

/** RFC 9068 §2.1: `at+jwt`; `application/at+jwt` is the same media type written out (RFC 7515 §4.1.9). */
const isAccessTokenTyp = (typ: unknown): boolean =>
  typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());

/**
 * Refusals name the header parameter and the rule, never its value: the header is unverified caller text, of
 * any length and any characters (attack of issue 8's fixes, M3).
 *
 * Checks the protected header before any key is looked up, so a hostile header never reaches key resolution:
 * structure, algorithm allowlist, no self-offered keys, no critical extensions (we implement none), the access
 * token `typ`, and a `kid` (rotation relies on it).
 */
export function checkAccessTokenHeader(token: string): ProtectedHeaderParameters & { kid: string } {
  if (token.split('.').length !== 3)
    throw new TokenFailure('token_invalid', 'The token is not a signed JWT.');
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch (e) {
    throw new TokenFailure('token_invalid', 'The token header is not valid base64url JSON.', e);
  }
  if (typeof header.alg !== 'string' || !ALLOWED_ALGS.includes(header.alg)) {
    throw new TokenFailure(
      'token_algorithm_not_allowed',
      `The token header alg is not an allowed algorithm; use ${ALLOWED_ALGS.join(', ')}.`,
    );
  }
  const offered = KEY_OFFERING.filter((p) => p in header);
  if (offered.length > 0) {
    throw new TokenFailure(
      'token_key_header_rejected',
      `The token offers its own key (${offered.join(', ')}); keys come only from the issuer's JWKS.`,
    );
  }
  if ('crit' in header) {
    throw new TokenFailure(
      'token_crit_unsupported',
      'The token header crit marks parameters as critical; no critical parameter is supported.',
    );
  }
  if (!isAccessTokenTyp(header.typ)) {
    throw new TokenFailure(
      'token_type_invalid',
      'The token header typ is not at+jwt; access tokens must be at+jwt (RFC 9068).',
    );
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new TokenFailure(
      'token_key_unknown',
      'The token has no kid; its signing key cannot be identified.',
    );
  }
  return header as ProtectedHeaderParameters & { kid: string };
}
