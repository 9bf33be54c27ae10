import { createHash } from 'node:crypto';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Authenticator } from '../../identity/index.ts';
import { looksLikeJwt } from '../../identity/index.ts';
import { type ChallengeContext, tokenProblem } from './challenge.ts';
import { DPOP_FUTURE_SKEW_S, DPOP_MAX_AGE_S, verifyDpopProof } from './dpop-proof.ts';
import { createProofKeyCache } from './proof-keys.ts';
import { TokenFailure } from './token-failure.ts';
import { confirmationKey, principalFromClaims } from './token-principal.ts';
import type { TrustedIssuer } from './verify-access-token.ts';
import { verifyAccessToken } from './verify-access-token.ts';

export interface JwtAuthenticatorDeps {
  /** `SPRINTCONNECT_PUBLIC_URL + '/oidc'`, compared as an exact string. */
  readonly ownIssuer: string;
  readonly ownKeys: JWTVerifyGetKey;
  readonly trusted: { resolve(issuer: string): Promise<readonly TrustedIssuer[]> };
  /** The resource this authenticator guards (`PUBLIC_URL + '/v1'`): the audience our tokens must carry. */
  readonly resource: string;
  readonly challenge: ChallengeContext;
  /** Records a DPoP proof id for every process; false when it was seen before. */
  recordJti(key: string, expiresAt: Date): Promise<boolean>;
  /** Whether a client of our own authorization server was removed (its tokens are refused, issue 8 point 3). */
  clientRemoved?: ((clientId: string) => Promise<boolean>) | undefined;
}

const SCHEME = /^(Bearer|DPoP)\s+(\S+)\s*$/i;

/**
 * JWT access tokens, as `Bearer` or `DPoP` (story 8.1). A bearer credential that is not a JWT is left to the
 * other authenticators (API keys). A DPoP-bound token (cnf.jkt) is accepted only with the DPoP scheme and a
 * proof for this request signed by the bound key and never seen before by any process.
 */
export function jwtAuthenticator(deps: JwtAuthenticatorDeps): Authenticator {
  const own = { kind: 'own' as const, issuer: deps.ownIssuer, keys: deps.ownKeys };
  const resolveIssuer = async (iss: string) => {
    if (iss === deps.ownIssuer) return own;
    const candidates = await deps.trusted.resolve(iss);
    return candidates.length === 0 ? undefined : { kind: 'trusted' as const, candidates };
  };

  /** A token outlives its client only until every process has heard of the removal (within a second). */
  const assertClientLive = async (claims: JWTPayload, kind: 'own' | 'trusted') => {
    if (kind !== 'own' || deps.clientRemoved === undefined || typeof claims.client_id !== 'string') return;
    if (await deps.clientRemoved(claims.client_id)) {
      throw new TokenFailure('token_revoked', 'The client this token was issued to has been removed.');
    }
  };

  // This verifier's proof keys: each DPoP client's key imported once (ADR 0017).
  const proofKeys = createProofKeyCache();

  return async (req, now) => {
    const m = req.authorization === undefined ? null : SCHEME.exec(req.authorization);
    if (m === null) return undefined;
    const scheme = m[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = m[2]!;
    if (scheme === 'Bearer' && !looksLikeJwt(token)) return undefined;
    try {
      if (!looksLikeJwt(token))
        throw new TokenFailure('token_invalid', 'The DPoP access token is not a JWT.');
      const { claims, issuer } = await verifyAccessToken(token, {
        resource: deps.resource,
        now,
        resolveIssuer,
      });
      // Every claim is checked before any of them reaches Postgres (the removal check, role assignments).
      const principal = principalFromClaims(claims, issuer, scheme === 'DPoP' ? 'dpop_jwt' : 'bearer_jwt');
      const boundTo = confirmationKey(claims);
      await assertClientLive(claims, issuer.kind);
      if (scheme === 'Bearer') {
        if (boundTo !== undefined) {
          throw new TokenFailure(
            'dpop_required',
            'This token is DPoP-bound; send it with the DPoP scheme and a proof.',
          );
        }
        return principal;
      }
      if (boundTo === undefined) {
        throw new TokenFailure('dpop_invalid', 'This token is not DPoP-bound; send it as Bearer.');
      }
      const proof = await verifyDpopProof(
        req.dpop,
        { method: req.method, url: req.url, accessToken: token, now },
        proofKeys,
      );
      if (proof.jkt !== boundTo) {
        throw new TokenFailure(
          'dpop_key_mismatch',
          'The DPoP proof is not signed by the key the token is bound to.',
        );
      }
      const key = createHash('sha256').update(`${proof.jkt}.${proof.jti}`).digest('hex');
      const expiresAt = new Date((proof.iat + DPOP_MAX_AGE_S + DPOP_FUTURE_SKEW_S) * 1000);
      if (!(await deps.recordJti(key, expiresAt))) {
        throw new TokenFailure(
          'dpop_replay',
          'This DPoP proof was already used; make a new proof per request.',
        );
      }
      return principal;
    } catch (e) {
      if (e instanceof TokenFailure) throw tokenProblem(e, scheme, deps.challenge);
      throw e;
    }
  };
}
