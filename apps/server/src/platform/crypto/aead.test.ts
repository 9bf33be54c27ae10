import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from './aead.ts';

describe('AES-256-GCM sealing', () => {
  const key = randomBytes(32);

  it('round-trips a secret under the same key and context', () => {
    const sealed = seal(key, Buffer.from('s3cret'), 'org:1');
    expect(open(key, sealed, 'org:1').toString()).toBe('s3cret');
  });

  it('never stores the plaintext and uses a fresh nonce for each seal', () => {
    const a = seal(key, Buffer.from('s3cret'), 'org:1');
    const b = seal(key, Buffer.from('s3cret'), 'org:1');
    expect(a.includes(Buffer.from('s3cret'))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses to open a value moved to another context (AAD mismatch)', () => {
    const sealed = seal(key, Buffer.from('s3cret'), 'org:1');
    expect(() => open(key, sealed, 'org:2')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = seal(key, Buffer.from('s3cret'), 'org:1');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => open(key, sealed, 'org:1')).toThrow();
  });
});
