import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';

export interface ProofKey {
  readonly key: Awaited<ReturnType<typeof importJWK>>;
  /** RFC 7638 SHA-256 thumbprint, compared with the token's cnf.jkt. */
  readonly jkt: string;
}

/**
 * A DPoP client signs every proof with the same key, so the imported key and its thumbprint are kept per
 * protected header (the exact base64url segment: alg, typ and jwk, byte for byte): the signature is still checked
 * on every proof, only the import (~50 us) and the thumbprint (~55 us) are saved (ADR 0017). Bounded: the
 * oldest entry goes first, so a flood of one-off keys costs memory for `max` entries at most.
 */
export type ProofKeyCache = (headerSegment: string, jwk: JWK, alg: string) => Promise<ProofKey>;

export function createProofKeyCache(max = 1_000): ProofKeyCache {
  const keys = new Map<string, ProofKey>();
  return async (headerSegment: string, jwk: JWK, alg: string): Promise<ProofKey> => {
    const hit = keys.get(headerSegment);
    if (hit !== undefined) return hit;
    const [key, jkt] = await Promise.all([
      importJWK({ ...jwk, ext: true }, alg),
      calculateJwkThumbprint(jwk, 'sha256'),
    ]);
    if (keys.size >= max) keys.delete(keys.keys().next().value!);
    const entry = { key, jkt };
    keys.set(headerSegment, entry);
    return entry;
  };
}
