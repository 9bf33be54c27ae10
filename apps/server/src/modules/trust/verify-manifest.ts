/**
 * Verifies a manifest JWS against one org's trust store, and nothing else: keys are looked up by `kid` in the
 * store the caller passes (the org's own), never taken from the JWS (`jwk`, `jku`, `x5u`, `x5c`, RFC 8725
 * §3.10) and never fetched. The header is checked before any key is touched; each refusal has its own code.
 */
import type { ManifestPayload } from '@sprintconnect/contracts';
import {
  compactVerify,
  decodeProtectedHeader,
  errors,
  importJWK,
  type ProtectedHeaderParameters,
} from 'jose';
import { readManifestPayload } from './manifest-payload.ts';
import type { ManifestAlg } from './public-jwk.ts';
import { manifestRefused } from './trust.errors.ts';

export const MANIFEST_ALGS: readonly ManifestAlg[] = Object.freeze(['EdDSA', 'ES256']);
const KEY_OFFERING = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'] as const;

export interface TrustedKey {
  kid: string;
  issuer: string;
  alg: ManifestAlg;
  jwk: Record<string, string>;
}

export interface VerifiedManifest {
  issuer: string;
  kid: string;
  alg: ManifestAlg;
  /** The third part of the compact JWS. */
  signature: string;
  jws: string;
  payload: ManifestPayload;
  policyHash: string;
}

export interface VerifyOptions {
  /** The org's trust store, by kid. */
  findKey(kid: string): Promise<TrustedKey | undefined>;
  /** The URL of the server the manifest is submitted for; `server.url` must name it. */
  serverUrl: string;
}

const sameUrl = (a: string, b: string): boolean => {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
};

function readHeader(jws: string): ProtectedHeaderParameters {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw manifestRefused(
      'manifest_malformed',
      'The manifest is not a compact JWS (three base64url parts: header.payload.signature).',
    );
  }
  try {
    return decodeProtectedHeader(jws);
  } catch {
    throw manifestRefused('manifest_malformed', 'The manifest header is not base64url-encoded JSON.');
  }
}

export async function verifyManifest(jws: string, opts: VerifyOptions): Promise<VerifiedManifest> {
  const header = readHeader(jws.trim());
  const alg = header.alg;
  if (typeof alg !== 'string' || !(MANIFEST_ALGS as readonly string[]).includes(alg)) {
    throw manifestRefused(
      'manifest_alg_not_allowed',
      `The manifest algorithm ${JSON.stringify(alg ?? null)} is not allowed; sign with ${MANIFEST_ALGS.join(' or ')}.`,
    );
  }
  const offered = KEY_OFFERING.filter((p) => Object.hasOwn(header, p));
  if (offered.length > 0) {
    throw manifestRefused(
      'manifest_header_not_allowed',
      `The manifest offers its own key (${offered.join(', ')}); keys come only from the trust store.`,
    );
  }
  if (Object.hasOwn(header, 'crit')) {
    throw manifestRefused(
      'manifest_header_not_allowed',
      `The manifest marks header parameters as critical (${JSON.stringify(header.crit)}); none are supported.`,
    );
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw manifestRefused(
      'manifest_key_untrusted',
      'The manifest header has no kid; its key cannot be found.',
    );
  }
  const key = await opts.findKey(kid);
  if (key === undefined) {
    throw manifestRefused(
      'manifest_key_untrusted',
      `No key with kid ${JSON.stringify(kid)} is in this organization's trust store.`,
    );
  }
  if (key.alg !== alg) {
    throw manifestRefused(
      'manifest_alg_not_allowed',
      `The manifest says ${alg}, but key ${JSON.stringify(kid)} verifies ${key.alg} only.`,
    );
  }

  let payloadBytes: Uint8Array;
  try {
    const verified = await compactVerify(jws.trim(), await importJWK(key.jwk, key.alg), {
      algorithms: [key.alg],
    });
    payloadBytes = verified.payload;
  } catch (e) {
    if (e instanceof errors.JWSSignatureVerificationFailed) {
      throw manifestRefused(
        'manifest_signature_invalid',
        `The manifest signature does not verify with key ${JSON.stringify(kid)}.`,
      );
    }
    throw manifestRefused('manifest_malformed', 'The manifest is not a valid compact JWS.');
  }
  const { payload, policyHash } = readManifestPayload(payloadBytes);

  const claimed = [header.iss, payload.iss].filter((v) => v !== undefined);
  if (claimed.length === 0) {
    throw manifestRefused(
      'manifest_issuer_mismatch',
      'The manifest names no issuer (`iss` claim or header).',
    );
  }
  if (claimed.some((iss) => iss !== key.issuer)) {
    throw manifestRefused(
      'manifest_issuer_mismatch',
      `The manifest issuer ${JSON.stringify(claimed.find((i) => i !== key.issuer))} is not ${JSON.stringify(key.issuer)}, the issuer trusted for key ${JSON.stringify(kid)}.`,
    );
  }
  if (!sameUrl(payload.server.url, opts.serverUrl)) {
    throw manifestRefused(
      'manifest_server_mismatch',
      `The manifest is for ${payload.server.url}, not for this server (${opts.serverUrl}).`,
    );
  }
  return {
    issuer: key.issuer,
    kid,
    alg: key.alg,
    signature: jws.trim().split('.')[2]!,
    jws: jws.trim(),
    payload,
    policyHash,
  };
}
