/**
 * What the trust store accepts as a key: a public JWK (RFC 7517) for one of the two signature algorithms
 * manifests may use. Anything carrying private or symmetric key material is refused before it is looked at
 * further, so it is never stored, echoed or logged.
 */
import { calculateJwkThumbprint, importJWK } from 'jose';
import { TrustError } from './trust.errors.ts';

export type ManifestAlg = 'EdDSA' | 'ES256';

export const ALLOWED_KEYS =
  'Ed25519 (kty "OKP", crv "Ed25519", alg "EdDSA") or P-256 (kty "EC", crv "P-256", alg "ES256")';

/** RFC 7518 §6.2.2 / §6.3.2 and RFC 8037 §2: members that carry private (or, `k`, symmetric) key material. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface PublicKey {
  kid: string;
  alg: ManifestAlg;
  /** The public members only, with `kid`, `alg` and `use: sig`. */
  jwk: Record<string, string>;
  /** RFC 7638 thumbprint (SHA-256, base64url). */
  thumbprint: string;
}

const invalid = (pointer: string, detail: string) =>
  new TrustError('trust_key_invalid', `The JWK is not a usable public key: ${pointer.slice(5)} ${detail}.`, {
    errors: [{ pointer, detail }],
  });

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

function coordinate(jwk: Record<string, unknown>, member: string): string {
  const v = jwk[member];
  if (typeof v !== 'string' || !B64URL_32.test(v)) {
    throw invalid(`/jwk/${member}`, 'must be the 32-byte coordinate in base64url (43 characters)');
  }
  return v;
}

function algorithmOf(jwk: Record<string, unknown>): ManifestAlg {
  const kty = jwk.kty;
  const crv = jwk.crv;
  let alg: ManifestAlg | undefined;
  if (kty === 'OKP' && crv === 'Ed25519') alg = 'EdDSA';
  else if (kty === 'EC' && crv === 'P-256') alg = 'ES256';
  const given = jwk.alg;
  const algFits = given === undefined || given === alg || (alg === 'EdDSA' && given === 'Ed25519');
  if (alg === undefined || !algFits) {
    const what = [`kty ${JSON.stringify(kty ?? null)}`, `crv ${JSON.stringify(crv ?? null)}`];
    if (given !== undefined) what.push(`alg ${JSON.stringify(given)}`);
    const detail = `Keys must be ${ALLOWED_KEYS}; this one has ${what.join(', ')}.`;
    throw new TrustError('trust_key_alg_not_allowed', detail, {
      errors: [{ pointer: alg === undefined ? '/jwk/kty' : '/jwk/alg', detail }],
    });
  }
  return alg;
}

/** Validates and normalizes a submitted JWK; throws the TrustError that says why it cannot be trusted. */
export async function readPublicJwk(jwk: Record<string, unknown>): Promise<PublicKey> {
  const secret = PRIVATE_MEMBERS.filter((m) => Object.hasOwn(jwk, m));
  if (secret.length > 0) {
    throw new TrustError(
      'trust_key_private',
      `The JWK holds private key material (${secret.join(', ')}); it was not stored. Send only the public key, and treat this private key as exposed.`,
      {
        errors: secret.map((m) => ({
          pointer: `/jwk/${m}`,
          detail: 'private key material is never accepted',
        })),
      },
    );
  }
  const alg = algorithmOf(jwk);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw invalid('/jwk/use', 'must be "sig" when present');
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    throw invalid('/jwk/key_ops', 'must include "verify" when present');
  }
  const pub: Record<string, string> =
    alg === 'EdDSA'
      ? { kty: 'OKP', crv: 'Ed25519', x: coordinate(jwk, 'x') }
      : { kty: 'EC', crv: 'P-256', x: coordinate(jwk, 'x'), y: coordinate(jwk, 'y') };
  try {
    await importJWK(pub, alg);
  } catch {
    throw invalid('/jwk/x', 'does not describe a point on the curve');
  }
  const thumbprint = await calculateJwkThumbprint(pub, 'sha256');
  const kid = jwk.kid ?? thumbprint;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 200) {
    throw invalid('/jwk/kid', 'must be a string of 1 to 200 characters');
  }
  return { kid, alg, jwk: { ...pub, kid, alg, use: 'sig' }, thumbprint };
}
