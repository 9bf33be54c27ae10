import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  asIdp,
  asOwn,
  codeAndDetail,
  IDP_CLAIMS,
  keys,
  OWN_CLAIMS,
  opts,
  refusal,
  sign,
  trusted,
} from '../../../../test/access-token-cases.ts';
import { at, publishedKey } from '../../../../test/access-token-signer.ts';
import { TokenFailure } from './token-failure.ts';
import { verifyAccessToken } from './verify-access-token.ts';

/**
 * RFC 9068 access tokens before any key is looked up, then by key: the header and issuer checks, what each
 * key failure answers, and which refusal a token of several candidate entries gets (ADR 0022).
 */
describe('before any key is looked up', () => {
  it('applies the header rules: a token offering its own key is refused even when our key signed it', async () => {
    const token = await sign(OWN_CLAIMS, { jwk: { kty: 'EC' } });
    expect((await refusal(asOwn(token))).code).toBe('token_key_header_rejected');
  });

  it('refuses a payload that is not JSON as token_invalid, keeping the decode error as the cause', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })).toString(
      'base64url',
    );
    const e = await refusal(asOwn(`${header}.bm90IGpzb24.c2ln`));
    expect([e.code, e.detail]).toEqual(['token_invalid', 'The token payload is not a JSON object.']);
    expect(e.cause).toBeInstanceOf(errors.JWTInvalid);
  });

  it('refuses a token whose iss is missing or not text as token_invalid', async () => {
    for (const iss of [undefined, 42]) {
      expect(await codeAndDetail(asOwn(await sign({ ...OWN_CLAIMS, iss })))).toEqual([
        'token_invalid',
        'The token has no iss.',
      ]);
    }
  });

  it('looks up an iss of up to 2048 characters; a longer one or one no org could register is untrusted unasked', async () => {
    const asked: string[] = [];
    const lookup = (iss: string) =>
      sign({ ...OWN_CLAIMS, iss }).then((t) =>
        verifyAccessToken(t, { ...opts(undefined), resolveIssuer: async (i) => void asked.push(i) }).catch(
          (e: TokenFailure) => e.code,
        ),
      );
    const longest = `https://${'a'.repeat(2040)}`;
    expect(longest).toHaveLength(2048);
    for (const iss of [`${longest}x`, 'https://idp.example.com/\u0007', 'https://idp.example.com/\ud800']) {
      expect(await lookup(iss)).toBe('token_issuer_untrusted');
    }
    expect(asked).toEqual([]);
    expect(await lookup(longest)).toBe('token_issuer_untrusted');
    expect(asked).toEqual([longest]);
  });

  it('refuses an issuer nobody trusts without quoting the iss', async () => {
    const token = await sign({ ...OWN_CLAIMS, iss: 'https://INJECTED.example' });
    expect(await codeAndDetail(verifyAccessToken(token, opts(undefined)))).toEqual([
      'token_issuer_untrusted',
      'The token iss is not a trusted issuer.',
    ]);
  });
});

describe('keys', () => {
  it('refuses a token signed by another key as token_invalid', async () => {
    const stranger = (await publishedKey()).privateKey;
    expect(await codeAndDetail(asOwn(await sign(OWN_CLAIMS, {}, stranger)))).toEqual([
      'token_invalid',
      'The token signature does not verify.',
    ]);
  });

  it('refuses a kid the issuer does not publish, or publishes twice, as token_key_unknown', async () => {
    const twice = createLocalJWKSet({ keys: [(await publishedKey()).jwk, (await publishedKey()).jwk] });
    for (const [token, k] of [
      [await sign(OWN_CLAIMS, { kid: 'k2' }), keys],
      [await sign(OWN_CLAIMS), twice],
    ] as const) {
      expect(await codeAndDetail(asOwn(token, k))).toEqual([
        'token_key_unknown',
        'No key of the issuer matches the token kid.',
      ]);
    }
  });

  it('answers "retry" (token_verification_unavailable) when the keys time out, are invalid or fail to load', async () => {
    const token = await sign(OWN_CLAIMS);
    for (const error of [
      new errors.JWKSTimeout(),
      new errors.JWKSInvalid('bad'),
      new Error('connect refused'),
    ]) {
      const failing: JWTVerifyGetKey = async () => {
        throw error;
      };
      const e = await refusal(asOwn(token, failing));
      expect([e.code, e.detail]).toEqual([
        'token_verification_unavailable',
        'The issuer keys could not be loaded; retry.',
      ]);
      expect(e.cause).toBe(error);
    }
  });

  it('passes on a refusal the key lookup itself made', async () => {
    const own = new TokenFailure('token_key_unknown', 'revoked key');
    const failing: JWTVerifyGetKey = async () => {
      throw own;
    };
    expect(await refusal(asOwn(await sign(OWN_CLAIMS), failing))).toBe(own);
  });

  it('refuses a JWT whose signature part is not base64url as not a valid signed JWT', async () => {
    const token = await sign(OWN_CLAIMS);
    const broken = `${token.slice(0, token.lastIndexOf('.'))}.%%%`;
    expect(await codeAndDetail(asOwn(broken))).toEqual([
      'token_invalid',
      'The token is not a valid signed JWT.',
    ]);
  });
});

describe('which refusal a token of several candidate entries gets', () => {
  it('the one that got furthest: an expiry beats an unknown kid, in either order', async () => {
    const token = await sign({ ...IDP_CLAIMS, aud: 'shared', iat: at(-400), exp: at(-100) });
    const noKey = createLocalJWKSet({ keys: [] });
    for (const candidates of [
      [trusted('A', 'shared', noKey), trusted('B', 'shared')],
      [trusted('B', 'shared'), trusted('A', 'shared', noKey)],
    ]) {
      expect((await refusal(asIdp(token, ...candidates))).code).toBe('token_expired');
    }
  });

  it('the one that got furthest: an expiry beats a signature by another key, in either order', async () => {
    const token = await sign({ ...IDP_CLAIMS, aud: 'shared', iat: at(-400), exp: at(-100) });
    const stranger = (await publishedKey()).jwks;
    for (const candidates of [
      [trusted('A', 'shared', stranger), trusted('B', 'shared')],
      [trusted('B', 'shared'), trusted('A', 'shared', stranger)],
    ]) {
      expect((await refusal(asIdp(token, ...candidates))).code).toBe('token_expired');
    }
  });
});
