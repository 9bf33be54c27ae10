/**
 * Signs capability manifests for tests (ADR 0015): real keys from jose, real compact JWS, and the hostile
 * variants a verifier must refuse (alg none, a key offered in the header, a tampered payload).
 */
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface TestSigner {
  kid: string;
  issuer: string;
  alg: 'EdDSA' | 'ES256';
  publicJwk: JWK;
  privateJwk: JWK;
  sign(payload: unknown, header?: Record<string, unknown>): Promise<string>;
}

export async function makeSigner(alg: 'EdDSA' | 'ES256', kid: string, issuer: string): Promise<TestSigner> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid };
  const privateJwk = { ...(await exportJWK(privateKey)), kid };
  return {
    kid,
    issuer,
    alg,
    publicJwk,
    privateJwk,
    sign: (payload, header = {}) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg, kid, ...header })
        .sign(privateKey),
  };
}

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** An "unsigned" JWS (RFC 7518 §3.6): alg none and an empty signature. */
export const unsignedJws = (payload: unknown, kid: string) =>
  `${b64url(JSON.stringify({ alg: 'none', kid }))}.${b64url(JSON.stringify(payload))}.`;

/** A JWS whose payload was replaced after signing (header and signature kept). */
export function tamper(jws: string, payload: unknown): string {
  const [h, , s] = jws.split('.');
  return `${h}.${b64url(JSON.stringify(payload))}.${s}`;
}

/** An HMAC-signed JWS (HS256 with an arbitrary secret): never acceptable for a manifest. */
export async function hmacJws(payload: unknown, kid: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'HS256', kid })
    .sign(new TextEncoder().encode('a shared secret of at least 32 bytes!!'));
}

export function manifestFor(
  url: string,
  tools: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) {
  return { server: { name: 'test', url }, tools, resources: [], prompts: [], ...extra };
}
