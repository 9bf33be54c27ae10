import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { accessTokenHash, verifyDpopProof } from './dpop-proof.ts';
import { createProofKeyCache, type ProofKeyCache } from './proof-keys.ts';
import type { TokenFailure } from './token-failure.ts';

/**
 * What each DPoP proof refusal says (RFC 9449 §4.3, checked in order): every one is `dpop_invalid`, so the
 * detail is the only way a client learns which check its proof failed.
 */
const NOW = new Date('2026-03-01T12:00:00Z');
const epoch = Math.floor(NOW.getTime() / 1000);
const TARGET = 'https://sc.example.com/v1/servers';
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function proof(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: KeyObject = pair.privateKey,
): string {
  const input = `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...header })}.${b64({
    jti: randomUUID(),
    htm: 'GET',
    htu: TARGET,
    iat: epoch,
    ath: accessTokenHash('the-token'),
    ...claims,
  })}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const proofKeys = createProofKeyCache();
const request = { method: 'GET', url: TARGET, accessToken: 'the-token', now: NOW };
const check = (p: string | undefined, req: Partial<typeof request> = {}) =>
  verifyDpopProof(p, { ...request, ...req }, proofKeys);
const detail = async (p: Promise<unknown>) => {
  const e = (await p.then(
    () => undefined,
    (x: unknown) => x,
  )) as TokenFailure | undefined;
  if (e === undefined) throw new Error('accepted');
  expect(e.code).toBe('dpop_invalid');
  return e.detail;
};

describe('a DPoP proof is refused, saying why', () => {
  it('when there is none, or it is empty', async () => {
    for (const p of [undefined, '']) {
      expect(await detail(check(p))).toBe('Send a DPoP proof in the DPoP header.');
    }
  });

  it('when it is not a JWT', async () => {
    expect(await detail(check('garbage'))).toBe('The DPoP proof is not a JWT.');
  });

  it('when its typ is not dpop+jwt, or missing', async () => {
    for (const typ of ['JWT', 'at+jwt', undefined]) {
      expect(await detail(check(proof({}, { typ })))).toBe('The DPoP proof typ must be dpop+jwt.');
    }
  });

  it('when its algorithm is not an allowed asymmetric one, or missing', async () => {
    for (const alg of ['HS256', 'none', undefined, 7]) {
      expect(await detail(check(proof({}, { alg })))).toBe(
        'The DPoP proof algorithm must be one of ES256, RS256, EdDSA.',
      );
    }
  });

  it('when it carries no jwk, or a jwk that is not an object', async () => {
    for (const bad of [undefined, 'a key']) {
      expect(await detail(check(proof({}, { jwk: bad })))).toBe('The DPoP proof has no jwk header.');
    }
  });

  it('when its jwk is a private key or a symmetric key', async () => {
    for (const secret of [pair.privateKey.export({ format: 'jwk' }), { kty: 'oct', k: 'c2VjcmV0' }]) {
      expect(await detail(check(proof({}, { jwk: secret })))).toBe(
        'The DPoP proof jwk must be a public key.',
      );
    }
  });

  it('when it marks header parameters as critical', async () => {
    expect(await detail(check(proof({}, { crit: ['exp'] })))).toBe(
      'The DPoP proof has critical header parameters that are not supported.',
    );
  });

  it('when another key than its jwk signed it', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(await detail(check(proof({}, {}, other)))).toBe(
      'The DPoP proof signature does not verify with its jwk.',
    );
  });

  it('when its own exp has passed at the time of the request', async () => {
    await expect(check(proof({ exp: epoch + 30 }))).resolves.toBeDefined();
    expect(await detail(check(proof({ exp: epoch - 1 })))).toBe(
      'The DPoP proof signature does not verify with its jwk.',
    );
  });

  it('when its jti is missing, empty, not text or longer than 256 characters', async () => {
    await expect(check(proof({ jti: 'j'.repeat(256) }))).resolves.toBeDefined();
    for (const jti of [undefined, '', 7, 'j'.repeat(257)]) {
      expect(await detail(check(proof({ jti })))).toBe('The DPoP proof needs a jti.');
    }
  });

  it('when its htu is not text, even text naming this URL held in an array', async () => {
    for (const htu of [[TARGET], undefined, 7]) {
      expect(await detail(check(proof({ htu })))).toBe(
        'The DPoP proof htu does not match the URL of this request.',
      );
    }
  });

  it('when its htu is not a URL, even if the target is not one either', async () => {
    expect(await detail(check(proof({ htu: 'not a url' }), { url: 'not a url' }))).toBe(
      'The DPoP proof htu does not match the URL of this request.',
    );
  });

  it('when it has no iat', async () => {
    expect(await detail(check(proof({ iat: undefined })))).toBe('The DPoP proof needs an iat.');
  });

  it('when its iat is outside [now - 60 s, now + 10 s], the bounds included', async () => {
    await expect(check(proof({ iat: epoch - 60 }))).resolves.toBeDefined();
    await expect(check(proof({ iat: epoch + 10 }))).resolves.toBeDefined();
    for (const iat of [epoch - 61, epoch + 11]) {
      expect(await detail(check(proof({ iat })))).toBe(
        'The DPoP proof iat is outside the 60 s window; make a new proof.',
      );
    }
  });

  it('when it is bound to no access token, or another one, at a resource request', async () => {
    expect(await detail(check(proof({ ath: undefined })))).toBe(
      'The DPoP proof has no ath (access token hash).',
    );
    expect(await detail(check(proof({ ath: accessTokenHash('other') })))).toBe(
      'The DPoP proof ath does not match the access token.',
    );
  });
});

describe('a DPoP proof is accepted', () => {
  it('without ath where there is no access token yet (the token endpoint)', async () => {
    const r = await check(proof({ ath: undefined, jti: 'at-token-endpoint' }), { accessToken: undefined });
    expect(r).toMatchObject({ jti: 'at-token-endpoint', iat: epoch });
  });

  it('with its key looked up by the exact protected header segment (ADR 0017)', async () => {
    const segments: string[] = [];
    const cache = createProofKeyCache();
    const recording: ProofKeyCache = (segment, key, alg) => {
      segments.push(segment);
      return cache(segment, key, alg);
    };
    const p = proof();
    await verifyDpopProof(p, request, recording);
    expect(segments).toEqual([p.split('.')[0]]);
  });
});
