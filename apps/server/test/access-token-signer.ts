import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';

/**
 * Tests only: a real ES256 key pair published as a local JWKS (kid `k1`) and a signer for access tokens with
 * any claims and header, on a frozen clock. A claim given as `undefined` is left out of the token.
 */
export const TOKEN_NOW = new Date('2026-05-01T12:00:00Z');
/** Seconds since the epoch, `s` seconds from TOKEN_NOW. */
export const at = (s: number): number => Math.floor(TOKEN_NOW.getTime() / 1000) + s;

export interface TokenSigner {
  readonly keys: JWTVerifyGetKey;
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>, key?: CryptoKey): Promise<string>;
}

/** A fresh ES256 pair: its public JWK (kid `k1`, `alg` only when given), a JWKS of just that key, the private key. */
export async function publishedKey(
  alg?: string,
): Promise<{ jwk: JWK; jwks: JWTVerifyGetKey; privateKey: CryptoKey }> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', ...(alg === undefined ? {} : { alg }) };
  return { jwk, jwks: createLocalJWKSet({ keys: [jwk] }), privateKey: pair.privateKey };
}

export async function createTokenSigner(): Promise<TokenSigner> {
  const { jwks, privateKey } = await publishedKey('ES256');
  return {
    keys: jwks,
    sign: (claims, header = {}, key = privateKey) => {
      const defined = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
      return new SignJWT(defined as JWTPayload)
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1', ...header })
        .sign(key);
    },
  };
}
