import { decodeJwt, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { ALLOWED_ALGS, checkAccessTokenHeader } from './jws-header.ts';
import { TokenFailure } from './token-failure.ts';
import { hasControlCharacter } from './token-principal.ts';

/** SprintConnect's own authorization server: keys held locally, audience = the resource being called. */
export interface OwnIssuer {
  readonly kind: 'own';
  readonly issuer: string;
  readonly keys: JWTVerifyGetKey;
}

/** An IdP an org trusts (issuer + audience + JWKS), fetched through egress. */
export interface TrustedIssuer {
  readonly kind: 'trusted';
  readonly id: string;
  readonly orgId: string;
  readonly issuer: string;
  readonly audience: string;
  /** The audience is the org's own (`<public URL>/v1/orgs/<org id>`), which no other org can require. */
  readonly orgBound?: boolean;
  readonly keys: JWTVerifyGetKey;
}

/** One issuer string may be trusted by several orgs, with the same or other audiences (resolveTrusted). */
export type IssuerResolution =
  | OwnIssuer
  | { readonly kind: 'trusted'; readonly candidates: readonly TrustedIssuer[] };

export interface VerifyAccessTokenOptions {
  /** The resource the request addresses (RFC 8707); our own tokens must name it in `aud`. */
  readonly resource: string;
  readonly now: Date;
  /** Exact-string lookup: `https://x/oidc/` is not `https://x/oidc`. */
  resolveIssuer(iss: string): Promise<IssuerResolution | undefined>;
}

export interface VerifiedAccessToken {
  readonly claims: JWTPayload;
  readonly issuer: OwnIssuer | TrustedIssuer;
}

export const CLOCK_TOLERANCE_S = 30;
/** Our access tokens live 5 minutes; a token minted longer ago than this is refused whatever its exp says. */
export const MAX_AGE_OWN_S = 15 * 60;
/** Other IdPs choose their own lifetimes (Entra ID: up to ~90 min); we still bound them. */
export const MAX_AGE_TRUSTED_S = 2 * 60 * 60;

/** The longest issuer a trusted-issuer registration accepts (contracts TrustedIssuerBody). */
const MAX_ISSUER_LENGTH = 2048;
const registrable = (iss: string): boolean =>
  iss.length <= MAX_ISSUER_LENGTH && iss.isWellFormed() && !hasControlCharacter(iss);

const audList = (aud: unknown): string[] =>
  typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [];

/**
 * Verifies a JWT access token (RFC 9068) field by field: header rules first (jws-header.ts), then the issuer by
 * exact string, then signature, `aud`, `exp`, `nbf`, `iat` (not in the future, not older than the maximum age)
 * with jose. Every refusal is a TokenFailure with its own code.
 */
export async function verifyAccessToken(
  token: string,
  opts: VerifyAccessTokenOptions,
): Promise<VerifiedAccessToken> {
  checkAccessTokenHeader(token);
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(token);
  } catch (e) {
    throw new TokenFailure('token_invalid', 'The token payload is not a JSON object.', e);
  }
  if (typeof unverified.iss !== 'string') throw new TokenFailure('token_invalid', 'The token has no iss.');
  // An iss no org could have registered (over the length of a registered issuer, or text Postgres cannot hold)
  // is untrusted without a lookup: it used to reach the database and fail there as a 500 (issue 8 fixes, D3).
  const resolved = registrable(unverified.iss) ? await opts.resolveIssuer(unverified.iss) : undefined;
  if (resolved === undefined) {
    // The iss is unverified caller text: named, never quoted (attack of issue 8's fixes, M3).
    throw new TokenFailure('token_issuer_untrusted', 'The token iss is not a trusted issuer.');
  }
  if (resolved.kind === 'own') return verifyWith(token, resolved, opts);
  const auds = audList(unverified.aud);
  const matching = resolved.candidates.filter((c) => auds.includes(c.audience));
  if (matching.length === 0) {
    throw new TokenFailure(
      'token_audience_mismatch',
      'The token audience is not one configured for its issuer.',
    );
  }
  return resolveTrusted(
    await Promise.all(
      matching.map((c) =>
        verifyWith(token, c, opts).then(
          (ok) => ({ ok }),
          (e: unknown) => ({
            failure: e instanceof TokenFailure ? e : toTokenFailure(e, c.audience),
          }),
        ),
      ),
    ),
  );
}

async function verifyWith(
  token: string,
  issuer: OwnIssuer | TrustedIssuer,
  opts: VerifyAccessTokenOptions,
): Promise<VerifiedAccessToken> {
  const own = issuer.kind === 'own';
  const audience = issuer.kind === 'own' ? opts.resource : issuer.audience;
  try {
    const { payload } = await jwtVerify(token, issuer.keys, {
      issuer: issuer.issuer,
      audience,
      algorithms: [...ALLOWED_ALGS],
      typ: 'at+jwt',
      maxTokenAge: own ? MAX_AGE_OWN_S : MAX_AGE_TRUSTED_S,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: opts.now,
      requiredClaims: own ? ['exp', 'iat', 'sub', 'client_id', 'jti'] : ['exp', 'iat', 'sub'],
    });
    return { claims: payload, issuer };
  } catch (e) {
    throw toTokenFailure(e, audience);
  }
}

type Outcome = { ok: VerifiedAccessToken } | { failure: TokenFailure };

/** How far a refused verification got: a verdict on a verified signature says most about the token. */
function depth(f: TokenFailure): number {
  if (f.code === 'token_verification_unavailable') return 1;
  if (f.code === 'token_key_unknown' || f.cause instanceof errors.JWSSignatureVerificationFailed) return 0;
  return 2;
}

/**
 * Issue 8 point 9, ADR 0022: several orgs may trust the same issuer and audience, so a token is the org's whose
 * entry it satisfies (audience, signature by that entry's keys, claims). Satisfying entries of more than one
 * org names no org, and is refused, unless the token carries the org audience of one of them. An entry whose
 * keys could not be loaded might have been satisfied too, so the answer waits for it (503) rather than guess.
 * Nothing in a refusal names another org.
 */
function resolveTrusted(outcomes: readonly Outcome[]): VerifiedAccessToken {
  const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
  const unavailable = failures.find((f) => f.code === 'token_verification_unavailable');
  if (unavailable !== undefined) throw unavailable;
  const satisfied = outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));
  // A token that names an org by its org audience is for that org, whatever else its aud lists.
  const bound = satisfied.filter((a) => a.issuer.kind === 'trusted' && a.issuer.orgBound === true);
  const accepted = bound.length > 0 ? bound : satisfied;
  const orgs = new Set(accepted.map((a) => (a.issuer.kind === 'trusted' ? a.issuer.orgId : '')));
  if (orgs.size > 1) {
    throw new TokenFailure(
      'token_issuer_ambiguous',
      'The token satisfies the trusted issuers of more than one organization; the organization it is for must ' +
        'require its own audience (<public URL>/v1/orgs/<org id>).',
    );
  }
  const first = accepted[0];
  if (first !== undefined) return first;
  throw failures.reduce((best, f) => (depth(f) > depth(best) ? f : best));
}

function toTokenFailure(e: unknown, audience: string): TokenFailure {
  if (e instanceof TokenFailure) return e;
  if (e instanceof errors.JWTExpired) {
    return e.claim === 'iat'
      ? new TokenFailure('token_expired', 'The token is older than the maximum token age.', e)
      : new TokenFailure('token_expired', 'The token has expired; get a new one.', e);
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'aud':
        return new TokenFailure('token_audience_mismatch', `The token aud does not include ${audience}.`, e);
      case 'nbf':
        return new TokenFailure('token_not_yet_valid', 'The token is not valid yet (nbf).', e);
      case 'iat':
        return e.reason === 'check_failed'
          ? new TokenFailure('token_not_yet_valid', 'The token claims to be issued in the future (iat).', e)
          : new TokenFailure('token_invalid', 'The token iat is missing or not a number.', e);
      case 'iss':
        return new TokenFailure('token_issuer_untrusted', 'The token issuer does not match.', e);
      case 'typ':
        return new TokenFailure('token_type_invalid', 'The token typ must be at+jwt.', e);
      default:
        return new TokenFailure('token_invalid', `The token claim ${e.claim} is missing or invalid.`, e);
    }
  }
  if (e instanceof errors.JOSEAlgNotAllowed) {
    return new TokenFailure('token_algorithm_not_allowed', 'The token algorithm is not allowed.', e);
  }
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenFailure('token_key_unknown', 'No key of the issuer matches the token kid.', e);
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenFailure('token_invalid', 'The token signature does not verify.', e);
  }
  if (
    e instanceof errors.JWKSTimeout ||
    e instanceof errors.JWKSInvalid ||
    !(e instanceof errors.JOSEError)
  ) {
    // The key set could not be fetched or loaded: not the client's fault, and not a verdict on the token.
    return new TokenFailure(
      'token_verification_unavailable',
      'The issuer keys could not be loaded; retry.',
      e,
    );
  }
  return new TokenFailure('token_invalid', 'The token is not a valid signed JWT.', e);
}
