import { createHash } from 'node:crypto';
import {
  decodeProtectedHeader,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { ALLOWED_ALGS } from './jws-header.ts';
import type { ProofKeyCache } from './proof-keys.ts';
import { TokenFailure } from './token-failure.ts';

/** A proof is fresh for this long after its iat (RFC 9449 §11.1); replay ids are kept as long. */
export const DPOP_MAX_AGE_S = 60;
/** Tolerated clock skew for a proof dated slightly ahead of us. */
export const DPOP_FUTURE_SKEW_S = 10;

export interface DpopRequest {
  readonly method: string;
  /** Absolute URL the client addressed (public URL + path); query and fragment are ignored (§4.3). */
  readonly url: string;
  /** The access token the proof must be bound to via `ath` (resource requests); absent at the token endpoint. */
  readonly accessToken?: string;
  readonly now: Date;
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof key: compared with the token's cnf.jkt. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
}

const fail = (detail: string, cause?: unknown) => new TokenFailure('dpop_invalid', detail, cause);

/** Scheme and host are case-insensitive, default ports drop, dot segments resolve (RFC 3986 §6.2.2-3). */
export function normalizeHtu(value: string): string | undefined {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}

export const accessTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'ascii').digest('base64url');

/**
 * Verifies a DPoP proof JWT (RFC 9449 §4.3) field by field: typ, asymmetric alg, an embedded public key that
 * signed it, no critical extensions, a jti, htm and htu matching this request, iat inside the window, and `ath`
 * equal to the hash of the access token. Replay (jti seen before) is the caller's check, across processes.
 */
export async function verifyDpopProof(
  proof: string | undefined,
  req: DpopRequest,
  /** The verifier's own cache of imported proof keys (proof-keys.ts). */
  proofKeys: ProofKeyCache,
): Promise<VerifiedProof> {
  if (proof === undefined || proof === '') throw fail('Send a DPoP proof in the DPoP header.');
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(proof);
  } catch (e) {
    throw fail('The DPoP proof is not a JWT.', e);
  }
  if (header.typ !== 'dpop+jwt') throw fail('The DPoP proof typ must be dpop+jwt.');
  if (typeof header.alg !== 'string' || !ALLOWED_ALGS.includes(header.alg)) {
    throw fail(`The DPoP proof algorithm must be one of ${ALLOWED_ALGS.join(', ')}.`);
  }
  const jwk = header.jwk as JWK | undefined;
  if (jwk === undefined || typeof jwk !== 'object') throw fail('The DPoP proof has no jwk header.');
  if ('d' in jwk || 'k' in jwk) throw fail('The DPoP proof jwk must be a public key.');
  if ('crit' in header) throw fail('The DPoP proof has critical header parameters that are not supported.');

  let claims: JWTPayload;
  let jkt: string;
  try {
    const proofKey = await proofKeys(proof.slice(0, proof.indexOf('.')), jwk, header.alg);
    jkt = proofKey.jkt;
    ({ payload: claims } = await jwtVerify(proof, proofKey.key, {
      typ: 'dpop+jwt',
      algorithms: [...ALLOWED_ALGS],
      currentDate: req.now,
    }));
  } catch (e) {
    throw fail('The DPoP proof signature does not verify with its jwk.', e);
  }
  if (typeof claims.jti !== 'string' || claims.jti === '' || claims.jti.length > 256) {
    throw fail('The DPoP proof needs a jti.');
  }
  if (claims.htm !== req.method) {
    throw fail(`The DPoP proof htm does not match the request method ${req.method}.`);
  }
  const htu = typeof claims.htu === 'string' ? normalizeHtu(claims.htu) : undefined;
  if (htu === undefined || htu !== normalizeHtu(req.url)) {
    // Neither the proof's htu nor the target is quoted: both are caller text of any length (issue 8 fixes, M3).
    throw fail('The DPoP proof htu does not match the URL of this request.');
  }
  const now = Math.floor(req.now.getTime() / 1000);
  if (typeof claims.iat !== 'number') throw fail('The DPoP proof needs an iat.');
  if (claims.iat < now - DPOP_MAX_AGE_S || claims.iat > now + DPOP_FUTURE_SKEW_S) {
    throw fail(`The DPoP proof iat is outside the ${DPOP_MAX_AGE_S} s window; make a new proof.`);
  }
  if (req.accessToken !== undefined) {
    if (typeof claims.ath !== 'string') throw fail('The DPoP proof has no ath (access token hash).');
    if (claims.ath !== accessTokenHash(req.accessToken)) {
      throw fail('The DPoP proof ath does not match the access token.');
    }
  }
  return { jkt, jti: claims.jti, iat: claims.iat };
}
