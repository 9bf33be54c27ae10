import { describe, expect, it } from 'vitest';
import { ALLOWED_ALGS, checkAccessTokenHeader } from './jws-header.ts';
import { TokenFailure } from './token-failure.ts';

/**
 * The header rules an access token meets before any key is looked up (RFC 8725, RFC 9068 §2.1): each refusal
 * has its own code and names the parameter, never its value.
 */
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const OK = { alg: 'ES256', typ: 'at+jwt', kid: 'k1' };
const token = (header: Record<string, unknown>) => `${b64(header)}.${b64({ sub: 's' })}.c2ln`;

function refusal(t: string): TokenFailure {
  try {
    checkAccessTokenHeader(t);
  } catch (e) {
    if (e instanceof TokenFailure) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('access token header', () => {
  it('accepts each allowed algorithm and gives back the header with its kid', () => {
    expect(ALLOWED_ALGS).toEqual(['ES256', 'RS256', 'EdDSA']);
    for (const alg of ALLOWED_ALGS) {
      expect(checkAccessTokenHeader(token({ ...OK, alg }))).toEqual({ ...OK, alg });
    }
  });

  it('refuses anything but three dot-separated parts as not a signed JWT', () => {
    for (const t of [`${b64(OK)}.${b64({})}`, `${b64(OK)}.${b64({})}.c2ln.x`, 'x']) {
      const e = refusal(t);
      expect([e.code, e.detail]).toEqual(['token_invalid', 'The token is not a signed JWT.']);
    }
  });

  it('refuses a header that is not base64url JSON, keeping the parse error as the cause', () => {
    const e = refusal('!!!.e30.c2ln');
    expect([e.code, e.detail]).toEqual(['token_invalid', 'The token header is not valid base64url JSON.']);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('refuses none, HMAC, a missing alg and a non-text alg, naming the allowed ones (RFC 8725 §3.1)', () => {
    for (const alg of ['none', 'HS256', undefined, 256, 'es256']) {
      const e = refusal(token({ ...OK, alg }));
      expect(e.code).toBe('token_algorithm_not_allowed');
      expect(e.detail).toBe('The token header alg is not an allowed algorithm; use ES256, RS256, EdDSA.');
    }
  });

  it('refuses each header by which a token offers its own key, naming every one offered (RFC 8725 §3.10)', () => {
    for (const p of ['jku', 'x5u', 'jwk', 'x5c']) {
      const e = refusal(token({ ...OK, [p]: 'https://attacker.example/keys' }));
      expect(e.code).toBe('token_key_header_rejected');
      expect(e.detail).toBe(`The token offers its own key (${p}); keys come only from the issuer's JWKS.`);
      expect(e.detail).not.toContain('attacker');
    }
    expect(refusal(token({ ...OK, jku: 'a', x5c: ['b'] })).detail).toContain('(jku, x5c)');
  });

  it('refuses a crit header: no critical extension is implemented', () => {
    const e = refusal(token({ ...OK, crit: ['exp'] }));
    expect([e.code, e.detail]).toEqual([
      'token_crit_unsupported',
      'The token header crit marks parameters as critical; no critical parameter is supported.',
    ]);
  });

  it('accepts at+jwt in any case and written out as application/at+jwt (RFC 7515 §4.1.9)', () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT']) {
      expect(checkAccessTokenHeader(token({ ...OK, typ })).typ).toBe(typ);
    }
  });

  it('refuses any other typ, a missing one and a non-text one (RFC 9068 §2.1)', () => {
    for (const typ of ['JWT', 'dpop+jwt', 'at+jwt ', undefined, 1]) {
      const e = refusal(token({ ...OK, typ }));
      expect([e.code, e.detail]).toEqual([
        'token_type_invalid',
        'The token header typ is not at+jwt; access tokens must be at+jwt (RFC 9068).',
      ]);
    }
  });

  it('refuses a token without a kid, with an empty one or a non-text one', () => {
    for (const kid of [undefined, '', 7]) {
      const e = refusal(token({ ...OK, kid }));
      expect([e.code, e.detail]).toEqual([
        'token_key_unknown',
        'The token has no kid; its signing key cannot be identified.',
      ]);
    }
  });

  it('checks the algorithm before offered keys, offered keys before crit, crit before typ, typ before kid', () => {
    expect(refusal(token({ alg: 'none', jwk: {}, crit: [], typ: 'JWT' })).code).toBe(
      'token_algorithm_not_allowed',
    );
    expect(refusal(token({ ...OK, jwk: {}, crit: [], typ: 'JWT' })).code).toBe('token_key_header_rejected');
    expect(refusal(token({ ...OK, crit: [], typ: 'JWT', kid: '' })).code).toBe('token_crit_unsupported');
    expect(refusal(token({ alg: 'ES256', typ: 'JWT' })).code).toBe('token_type_invalid');
  });
});
