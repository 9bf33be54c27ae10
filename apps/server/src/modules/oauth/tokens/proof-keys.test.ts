import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createProofKeyCache } from './proof-keys.ts';

const jwkOf = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as JWK;

describe('createProofKeyCache (ADR 0017)', () => {
  it('imports a header key once and gives its RFC 7638 thumbprint', async () => {
    const keys = createProofKeyCache();
    const jwk = jwkOf();
    const a = await keys('header-1', jwk, 'ES256');
    expect(a.jkt).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    expect(await keys('header-1', jwk, 'ES256')).toBe(a);
  });

  it('keys by the exact header: another header is another entry, even for the same key', async () => {
    const keys = createProofKeyCache();
    const jwk = jwkOf();
    const a = await keys('header-1', jwk, 'ES256');
    expect(await keys('header-2', jwk, 'ES256')).not.toBe(a);
  });

  it('keeps at most max entries, the oldest going first', async () => {
    const keys = createProofKeyCache(2);
    const [j1, j2, j3] = [jwkOf(), jwkOf(), jwkOf()];
    const first = await keys('h1', j1, 'ES256');
    await keys('h2', j2, 'ES256');
    await keys('h3', j3, 'ES256');
    expect(await keys('h1', j1, 'ES256')).not.toBe(first);
  });

  it('keeps every entry while it holds fewer than max', async () => {
    const keys = createProofKeyCache(2);
    const [j1, j2] = [jwkOf(), jwkOf()];
    const first = await keys('h1', j1, 'ES256');
    const second = await keys('h2', j2, 'ES256');
    expect(await keys('h1', j1, 'ES256')).toBe(first);
    expect(await keys('h2', j2, 'ES256')).toBe(second);
  });

  it('does not remember a key that fails to import', async () => {
    const keys = createProofKeyCache();
    await expect(keys('bad', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, 'ES256')).rejects.toThrow();
    const good = jwkOf();
    expect((await keys('bad', good, 'ES256')).jkt).toBe(await calculateJwkThumbprint(good, 'sha256'));
  });
});
