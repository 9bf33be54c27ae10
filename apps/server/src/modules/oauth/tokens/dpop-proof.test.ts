import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { accessTokenHash, normalizeHtu, verifyDpopProof } from './dpop-proof.ts';
import { createProofKeyCache } from './proof-keys.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const epoch = Math.floor(NOW.getTime() / 1000);
const URL_ = 'https://sc.example.com/v1/servers';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' }) as JWK;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function proof(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const input = `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...header })}.${b64({
    jti: randomUUID(),
    htm: 'GET',
    htu: URL_,
    iat: epoch,
    ath: accessTokenHash('the-token'),
    ...claims,
  })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const proofKeys = createProofKeyCache();
const check = (p: string | undefined) =>
  verifyDpopProof(p, { method: 'GET', url: URL_, accessToken: 'the-token', now: NOW }, proofKeys);

describe('normalizeHtu (RFC 9449 §4.3: compare without query and fragment, RFC 3986 normalization)', () => {
  it('ignores scheme and host case, the default port, query and fragment, and resolves dot segments', () => {
    expect(normalizeHtu('HTTPS://SC.Example.com:443/v1/a/../servers?x=1#f')).toBe(normalizeHtu(URL_));
  });
  it('keeps a different port, path or scheme different', () => {
    expect(normalizeHtu('https://sc.example.com:8443/v1/servers')).not.toBe(normalizeHtu(URL_));
    expect(normalizeHtu('https://sc.example.com/v1/servers/')).not.toBe(normalizeHtu(URL_));
    expect(normalizeHtu('http://sc.example.com/v1/servers')).not.toBe(normalizeHtu(URL_));
  });
  it('is undefined for something that is not a URL', () => {
    expect(normalizeHtu('/v1/servers')).toBeUndefined();
  });
});

describe('verifyDpopProof', () => {
  it('accepts a proof for this request and returns the key thumbprint', async () => {
    const r = await check(proof());
    expect(r.jkt).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it.each([
    ['no proof', undefined],
    ['another method', proof({ htm: 'POST' })],
    ['another URL', proof({ htu: 'https://sc.example.com/v1/jobs' })],
    ['iat 61 s old', proof({ iat: epoch - 61 })],
    ['iat 11 s ahead', proof({ iat: epoch + 11 })],
    ['no ath', proof({ ath: undefined })],
    ['ath of another token', proof({ ath: accessTokenHash('other') })],
    ['typ JWT', proof({}, { typ: 'JWT' })],
    ['alg HS256', proof({}, { alg: 'HS256' })],
    ['a private key in jwk', proof({}, { jwk: privateKey.export({ format: 'jwk' }) })],
    ['a crit header', proof({}, { crit: ['x'], x: 1 })],
    ['not a JWT', 'garbage'],
  ])('refuses %s with dpop_invalid', async (_name, p) => {
    await expect(check(p)).rejects.toMatchObject({ code: 'dpop_invalid' });
  });

  it('names the failing claim without quoting the proof or the target (attack of issue 8 fixes, M3)', async () => {
    const mark = `INJECTED${'x'.repeat(7000)}`;
    for (const p of [proof({ htm: mark }), proof({ htu: `https://sc.example.com/${mark}` })]) {
      const e = (await check(p).catch((x: unknown) => x)) as { code: string; detail: string };
      expect(e.code).toBe('dpop_invalid');
      expect(e.detail).toMatch(/^The DPoP proof ht[mu] does not match/);
      expect(e.detail).not.toContain('INJECTED');
    }
    const target = `https://sc.example.com/v1/${mark}`;
    const e = (await verifyDpopProof(proof(), { method: 'GET', url: target, now: NOW }, proofKeys).catch(
      (x: unknown) => x,
    )) as { detail: string };
    expect(e.detail).not.toContain('INJECTED');
  });

  it('accepts iat within the window on both sides', async () => {
    await expect(check(proof({ iat: epoch - 59 }))).resolves.toBeDefined();
    await expect(check(proof({ iat: epoch + 9 }))).resolves.toBeDefined();
  });
});
