import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { systemClock } from '../src/kernel/index.ts';
import { accessTokenHash, createSigningKeys } from '../src/modules/oauth/index.ts';
import { deriveKey } from '../src/platform/crypto/index.ts';
import type { Db } from '../src/platform/db/index.ts';
import { TEST_MASTER_KEY } from './constants.ts';

/**
 * Tests only: hand-made JWTs. Signing is done with node:crypto, not jose, so a test can put anything in a
 * header (jose refuses to sign with an unknown `crit`, for one) and change exactly one thing at a time.
 */
export type Json = Record<string, unknown>;

const b64 = (v: Json | Buffer) =>
  (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

export function signJwt(header: Json, claims: Json, key: KeyObject | Buffer): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const alg = String(header.alg);
  let sig: Buffer;
  if (Buffer.isBuffer(key))
    sig = createHmac(`sha${alg.slice(2)}`, key)
      .update(input)
      .digest();
  else if (alg === 'ES256') sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'EdDSA') sig = sign(null, Buffer.from(input), key);
  else sig = sign('sha256', Buffer.from(input), key);
  return `${input}.${sig.toString('base64url')}`;
}

/** Unsigned (`alg: none`) or any header/claims with an empty signature. */
export const unsignedJwt = (header: Json, claims: Json): string => `${b64(header)}.${b64(claims)}.`;

export interface OwnKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

/** The authorization server's active signing key of `alg`, read back from Postgres like the app does. */
export async function ownSigningKey(db: Db, alg: 'ES256' | 'RS256' = 'ES256'): Promise<OwnKey> {
  const keys = createSigningKeys({
    db,
    sealKey: deriveKey(TEST_MASTER_KEY, 'oauth-signing-keys'),
    clock: systemClock,
  });
  const jwk = (await keys.privateJwks()).find((k) => k.alg === alg)!;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return {
    kid: jwk.kid!,
    alg,
    privateKey: createPrivateKey({ key: jwk as never, format: 'jwk' }),
    publicJwk: pub,
  };
}

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
  readonly jkt: string;
}

export async function newEcKey(): Promise<KeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export const epoch = (d: Date = new Date()) => Math.floor(d.getTime() / 1000);

/** A DPoP proof (RFC 9449 §4.2) for one request; `override` replaces or removes (undefined) any claim. */
export function dpopProof(
  key: KeyPair,
  req: { method: string; url: string; accessToken?: string },
  override: Json = {},
  headerOverride: Json = {},
): string {
  const claims: Json = {
    jti: randomUUID(),
    htm: req.method,
    htu: req.url,
    iat: epoch(),
    ...(req.accessToken === undefined ? {} : { ath: accessTokenHash(req.accessToken) }),
    ...override,
  };
  for (const [k, v] of Object.entries(override)) if (v === undefined) delete claims[k];
  return signJwt(
    { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, ...headerOverride },
    claims,
    key.privateKey,
  );
}
