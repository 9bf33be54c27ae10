import { describe, expect, it } from 'vitest';
import { checkIssuerUrl } from './issuer-url.ts';
import { openLoginState, safeReturnTo, sealLoginState } from './login-state.ts';

const key = Buffer.alloc(32, 9);
const now = new Date('2026-01-01T00:00:00Z');
const state = {
  orgId: '0190c0de-0000-7000-8000-000000000001',
  orgSlug: 'acme',
  state: 's',
  nonce: 'n',
  codeVerifier: 'v',
  returnTo: '/',
  stepUp: false,
  expiresAt: now.getTime() + 600_000,
};

describe('login state cookie', () => {
  it('round-trips, and its content is not readable in the cookie', () => {
    const sealed = sealLoginState(key, state);
    expect(openLoginState(key, sealed, now)).toEqual(state);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('acme');
  });

  it('is refused when altered, sealed under another key, expired or missing', () => {
    const sealed = sealLoginState(key, state);
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(openLoginState(key, bytes.toString('base64url'), now)).toBeUndefined();
    expect(openLoginState(Buffer.alloc(32, 8), sealed, now)).toBeUndefined();
    expect(openLoginState(key, sealed, new Date(state.expiresAt))).toBeUndefined();
    expect(openLoginState(key, undefined, now)).toBeUndefined();
    expect(openLoginState(key, 'garbage', now)).toBeUndefined();
  });
});

describe('return-to after sign-in', () => {
  it('keeps a path on this site and turns anything else into /', () => {
    expect(safeReturnTo('/servers?x=1')).toBe('/servers?x=1');
    for (const bad of [
      undefined,
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'servers',
      '/a\nb',
    ]) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });
});

describe('issuer URL', () => {
  it('must be https, except on a loopback address', () => {
    expect(checkIssuerUrl('https://login.example.com')).toMatchObject({ ok: true, insecure: false });
    expect(checkIssuerUrl('http://127.0.0.1:4000')).toMatchObject({ ok: true, insecure: true });
    expect(checkIssuerUrl('http://[::1]:4000')).toMatchObject({ ok: true, insecure: true });
    expect(checkIssuerUrl('http://login.example.com')).toMatchObject({ ok: false });
  });

  it('refuses credentials, queries, fragments and non-URLs', () => {
    for (const bad of [
      'https://u:p@login.example.com',
      'https://x.example?a=1',
      'https://x.example#f',
      'x',
      'ftp://x',
    ]) {
      expect(checkIssuerUrl(bad).ok).toBe(false);
    }
  });
});
