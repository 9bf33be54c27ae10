import { errors, exportJWK, generateKeyPair, importJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenFailure } from './token-failure.ts';
import { type TrustedIssuer, verifyAccessToken } from './verify-access-token.ts';

/** Issue 8 point 9: resolving a token of an issuer several orgs trust, on a frozen clock, without network. */
const ISS = 'https://idp.shared.test';
const now = new Date('2026-05-01T12:00:00Z');
let sign: (aud: string | string[]) => Promise<string>;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const pub = await importJWK({ ...(await exportJWK(publicKey)), alg: 'ES256' }, 'ES256');
  keys = async () => pub;
  sign = (aud) =>
    new SignJWT({ sub: 'ci', client_id: 'ci' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
      .setIssuer(ISS)
      .setAudience(aud)
      .setIssuedAt(now)
      .setExpirationTime(new Date(now.getTime() + 300_000))
      .sign(privateKey);
});

const entry = (orgId: string, audience: string, extra: Partial<TrustedIssuer> = {}): TrustedIssuer => ({
  kind: 'trusted',
  id: `${orgId}-${audience}`,
  orgId,
  issuer: ISS,
  audience,
  keys,
  ...extra,
});

const verify = async (token: string, candidates: TrustedIssuer[]) =>
  verifyAccessToken(token, {
    resource: 'https://sc.example.com/v1',
    now,
    resolveIssuer: async () => ({ kind: 'trusted', candidates }),
  });

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as TokenFailure).code;
  }
  throw new Error('accepted');
};

describe('a token of an issuer several orgs trust', () => {
  it('goes to the one org whose entry it satisfies', async () => {
    const r = await verify(await sign('aud-a'), [entry('A', 'aud-a'), entry('B', 'aud-b')]);
    expect(r.issuer).toMatchObject({ orgId: 'A' });
  });

  it('is ambiguous when it satisfies entries of two orgs, and not when both entries are one org', async () => {
    const token = await sign('shared');
    expect(await refusal(verify(token, [entry('A', 'shared'), entry('B', 'shared')]))).toBe(
      'token_issuer_ambiguous',
    );
    const same = await verify(await sign(['shared', 'other']), [entry('A', 'shared'), entry('A', 'other')]);
    expect(same.issuer).toMatchObject({ orgId: 'A' });
  });

  it('goes to the org whose org audience it carries, whatever else its aud lists', async () => {
    const token = await sign(['shared', 'org-b']);
    const r = await verify(token, [
      entry('A', 'shared'),
      entry('B', 'shared'),
      entry('B', 'org-b', { orgBound: true }),
    ]);
    expect(r.issuer).toMatchObject({ orgId: 'B' });
  });

  it('is not decided while an entry it might satisfy has keys that cannot be loaded (503, not a guess)', async () => {
    const down: JWTVerifyGetKey = async () => {
      throw new errors.JWKSTimeout();
    };
    const token = await sign('shared');
    expect(await refusal(verify(token, [entry('A', 'shared'), entry('B', 'shared', { keys: down })]))).toBe(
      'token_verification_unavailable',
    );
  });

  it('reports the refusal that got furthest: an expiry found under a verified signature beats a stranger key', async () => {
    const stranger = await generateKeyPair('ES256');
    const otherKeys: JWTVerifyGetKey = async () => stranger.publicKey;
    const late = new Date(now.getTime() + 3600_000);
    const token = await sign('shared');
    const code = await refusal(
      verifyAccessToken(token, {
        resource: 'x',
        now: late,
        resolveIssuer: async () => ({
          kind: 'trusted',
          candidates: [entry('B', 'shared', { keys: otherKeys }), entry('A', 'shared')],
        }),
      }),
    );
    expect(code).toBe('token_expired');
  });
});
