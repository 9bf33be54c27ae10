import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/index.ts';
import { readPublicJwk } from './public-jwk.ts';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}

async function keyPair(alg: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { pub: await exportJWK(publicKey), priv: await exportJWK(privateKey) };
}

describe('trust-store keys', () => {
  it('accepts Ed25519 and P-256 public keys, keeping only public members, with EdDSA / ES256', async () => {
    const ed = await readPublicJwk({ ...(await keyPair('EdDSA')).pub, kid: 'ed', ext: true });
    expect(ed).toMatchObject({ kid: 'ed', alg: 'EdDSA' });
    expect(Object.keys(ed.jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    const ec = await readPublicJwk({ ...(await keyPair('ES256')).pub, kid: 'ec' });
    expect(ec).toMatchObject({ kid: 'ec', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
  });

  it('names a key without kid by its RFC 7638 thumbprint', async () => {
    const k = await readPublicJwk((await keyPair('EdDSA')).pub);
    expect(k.kid).toBe(k.thumbprint);
    expect(k.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a private JWK (d) without echoing it', async () => {
    const { priv } = await keyPair('EdDSA');
    const err = await readPublicJwk({ ...priv, kid: 'x' }).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('trust_key_private');
    expect(JSON.stringify(err)).not.toContain(String(priv.d));
    expect((err as Error).message).not.toContain(String(priv.d));
  });

  it('refuses RSA, symmetric (oct/HS256), other curves, and an alg that does not fit the key', async () => {
    const rsa = await keyPair('RS256');
    expect(await codeOf(readPublicJwk(rsa.pub))).toBe('trust_key_alg_not_allowed');
    expect(await codeOf(readPublicJwk({ kty: 'oct', alg: 'HS256' }))).toBe('trust_key_alg_not_allowed');
    expect(await codeOf(readPublicJwk({ kty: 'oct', k: 'c2VjcmV0' }))).toBe('trust_key_private');
    const p384 = await keyPair('ES384');
    expect(await codeOf(readPublicJwk(p384.pub))).toBe('trust_key_alg_not_allowed');
    const ed = await keyPair('EdDSA');
    expect(await codeOf(readPublicJwk({ ...ed.pub, alg: 'none' }))).toBe('trust_key_alg_not_allowed');
    expect(await codeOf(readPublicJwk({ ...ed.pub, alg: 'ES256' }))).toBe('trust_key_alg_not_allowed');
  });

  it('refuses malformed key material, an encryption key, and a point off the curve', async () => {
    const ec = await keyPair('ES256');
    expect(await codeOf(readPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: 'short' }))).toBe('trust_key_invalid');
    expect(await codeOf(readPublicJwk({ ...ec.pub, use: 'enc' }))).toBe('trust_key_invalid');
    const offCurve = { ...ec.pub, y: ec.pub.x };
    expect(await codeOf(readPublicJwk(offCurve))).toBe('trust_key_invalid');
  });
});
