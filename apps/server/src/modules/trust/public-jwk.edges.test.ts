import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.ts';
import { readPublicJwk } from './public-jwk.ts';

/**
 * Which keys the trust store takes (ADR 0015), member by member, and what each refusal points at: the JSON
 * Pointer of the member to fix and a detail that names what the key carried.
 */
async function refusal(jwk: Record<string, unknown>) {
  const e = await readPublicJwk(jwk).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected a refusal, got ${String(e)}`);
  return { code: e.code, detail: e.detail, errors: e.errors };
}

let ed: JWK;
let ec: JWK;
let edPrivate: JWK;
beforeAll(async () => {
  const edPair = await generateKeyPair('EdDSA', { extractable: true });
  ed = await exportJWK(edPair.publicKey);
  edPrivate = await exportJWK(edPair.privateKey);
  ec = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey);
});

describe('the keys the trust store takes', () => {
  it('takes the alg each key type implies when it is written out, and Ed25519 (RFC 9864) for EdDSA', async () => {
    expect((await readPublicJwk({ ...ed, alg: 'EdDSA' })).alg).toBe('EdDSA');
    expect((await readPublicJwk({ ...ed, alg: 'Ed25519' })).alg).toBe('EdDSA');
    expect((await readPublicJwk({ ...ec, alg: 'ES256' })).alg).toBe('ES256');
  });

  it('stores the key as a signing key, with use "sig"', async () => {
    expect((await readPublicJwk({ ...ec, use: 'sig' })).jwk).toMatchObject({
      use: 'sig',
      kid: expect.any(String),
    });
  });

  it('takes key_ops when they include "verify", and refuses them otherwise', async () => {
    expect((await readPublicJwk({ ...ed, key_ops: ['verify'] })).alg).toBe('EdDSA');
    for (const key_ops of [['encrypt'], 'verify']) {
      expect(await refusal({ ...ed, key_ops })).toMatchObject({
        code: 'trust_key_invalid',
        errors: [{ pointer: '/jwk/key_ops', detail: 'must include "verify" when present' }],
      });
    }
  });

  it('takes a kid of 1 to 200 characters and refuses an empty, longer or non-string one', async () => {
    expect((await readPublicJwk({ ...ed, kid: 'k'.repeat(200) })).kid).toBe('k'.repeat(200));
    for (const kid of ['', 'k'.repeat(201), 7]) {
      expect(await refusal({ ...ed, kid })).toMatchObject({
        code: 'trust_key_invalid',
        detail: 'The JWK is not a usable public key: kid must be a string of 1 to 200 characters.',
        errors: [{ pointer: '/jwk/kid', detail: 'must be a string of 1 to 200 characters' }],
      });
    }
  });
});

describe('the keys the trust store refuses', () => {
  it.each([
    ['an X25519 (key agreement) key', { kty: 'OKP', crv: 'X25519' }],
    ['kty EC with crv Ed25519', { kty: 'EC', crv: 'Ed25519' }],
    ['kty OKP with crv P-256', { kty: 'OKP', crv: 'P-256' }],
  ])('refuses %s, pointing at kty', async (_what, members) => {
    const r = await refusal({ ...members, x: ed.x, y: ec.y });
    expect(r.code).toBe('trust_key_alg_not_allowed');
    expect(r.errors).toEqual([{ pointer: '/jwk/kty', detail: r.detail }]);
    expect(r.detail).toBe(
      'Keys must be Ed25519 (kty "OKP", crv "Ed25519", alg "EdDSA") or P-256 (kty "EC", crv "P-256", alg "ES256"); ' +
        `this one has kty "${members.kty}", crv "${members.crv}".`,
    );
  });

  it('names a missing kty and crv as null', async () => {
    expect((await refusal({ x: ed.x })).detail).toMatch(/this one has kty null, crv null\.$/);
  });

  it('refuses an alg that does not fit the key, pointing at alg and naming it', async () => {
    const r = await refusal({ ...ec, alg: 'Ed25519' });
    expect(r.code).toBe('trust_key_alg_not_allowed');
    expect(r.errors).toEqual([{ pointer: '/jwk/alg', detail: r.detail }]);
    expect(r.detail).toMatch(/this one has kty "EC", crv "P-256", alg "Ed25519"\.$/);
  });

  it('lists each member that carries private key material, without echoing any of it', async () => {
    const r = await refusal({ ...edPrivate, p: 'x', k: 'y' });
    expect(r.code).toBe('trust_key_private');
    expect(r.detail).toBe(
      'The JWK holds private key material (d, p, k); it was not stored. Send only the public key, and treat this private key as exposed.',
    );
    expect(r.errors).toEqual(
      ['d', 'p', 'k'].map((m) => ({
        pointer: `/jwk/${m}`,
        detail: 'private key material is never accepted',
      })),
    );
  });

  it('refuses a use other than "sig", pointing at use', async () => {
    expect(await refusal({ ...ed, use: 'enc' })).toMatchObject({
      code: 'trust_key_invalid',
      detail: 'The JWK is not a usable public key: use must be "sig" when present.',
      errors: [{ pointer: '/jwk/use', detail: 'must be "sig" when present' }],
    });
  });

  it.each([
    ['too short', 'short'],
    ['one character too long', `${'A'.repeat(43)}A`],
    ['padded', `${'A'.repeat(43)}=`],
    ['a base64 character outside base64url', `+${'A'.repeat(42)}`],
    ['a number', 42],
    ['an array holding a coordinate', ['A'.repeat(43)]],
  ])('refuses a coordinate that is %s, pointing at it', async (_what, x) => {
    expect(await refusal({ kty: 'OKP', crv: 'Ed25519', x })).toMatchObject({
      code: 'trust_key_invalid',
      errors: [{ pointer: '/jwk/x', detail: 'must be the 32-byte coordinate in base64url (43 characters)' }],
    });
  });

  it('says so when the coordinates are not a point on the curve', async () => {
    expect(await refusal({ ...ec, y: ec.x })).toMatchObject({
      code: 'trust_key_invalid',
      errors: [{ pointer: '/jwk/x', detail: 'does not describe a point on the curve' }],
    });
  });
});
