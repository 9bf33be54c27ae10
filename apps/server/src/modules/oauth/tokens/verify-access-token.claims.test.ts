import { describe, expect, it } from 'vitest';
import {
  asIdp,
  asOwn,
  codeAndDetail,
  IDP_CLAIMS,
  keys,
  OWN,
  OWN_CLAIMS,
  opts,
  own,
  RESOURCE,
  refusal,
  sign,
  trusted,
} from '../../../../test/access-token-cases.ts';
import { at } from '../../../../test/access-token-signer.ts';
import { verifyAccessToken } from './verify-access-token.ts';

/**
 * RFC 9068 access tokens claim by claim, on a frozen clock with real keys and jose (ADR 0022): what our own
 * tokens and a trusted IdP's tokens must carry, and the code and detail of each refusal.
 */
describe('our own tokens', () => {
  it('are accepted with exp, iat, sub, client_id and jti, and the resource in aud', async () => {
    const r = await asOwn(await sign(OWN_CLAIMS));
    expect(r.claims).toMatchObject({ sub: 'u1', client_id: 'c1' });
    expect(r.issuer).toMatchObject({ kind: 'own' });
  });

  it('must name the resource being called in aud (RFC 8707), and the refusal names that resource', async () => {
    expect(
      await codeAndDetail(asOwn(await sign({ ...OWN_CLAIMS, aud: 'https://other.example/v1' }))),
    ).toEqual(['token_audience_mismatch', `The token aud does not include ${RESOURCE}.`]);
  });

  it('must carry each of exp, sub, client_id and jti', async () => {
    for (const claim of ['exp', 'sub', 'client_id', 'jti']) {
      expect(await codeAndDetail(asOwn(await sign({ ...OWN_CLAIMS, [claim]: undefined })))).toEqual([
        'token_invalid',
        `The token claim ${claim} is missing or invalid.`,
      ]);
    }
  });

  it('must carry a numeric iat', async () => {
    for (const iat of [undefined, 'yesterday']) {
      expect(await codeAndDetail(asOwn(await sign({ ...OWN_CLAIMS, iat })))).toEqual([
        'token_invalid',
        'The token iat is missing or not a number.',
      ]);
    }
  });

  it('must be issued by exactly the issuer the lookup resolved', async () => {
    const token = await sign(OWN_CLAIMS);
    expect(await codeAndDetail(verifyAccessToken(token, opts(own(keys, `${OWN}/`))))).toEqual([
      'token_issuer_untrusted',
      'The token issuer does not match.',
    ]);
  });

  it('are refused once minted more than 15 minutes (and 30 s of skew) ago, whatever exp says', async () => {
    const minted = (age: number) => sign({ ...OWN_CLAIMS, iat: at(-age), exp: at(3600) });
    await expect(asOwn(await minted(15 * 60 + 30))).resolves.toBeDefined();
    expect(await codeAndDetail(asOwn(await minted(15 * 60 + 31)))).toEqual([
      'token_expired',
      'The token is older than the maximum token age.',
    ]);
  });
});

describe('the clock', () => {
  it('refuses a token expired more than 30 s ago, and accepts one expired less', async () => {
    await expect(asOwn(await sign({ ...OWN_CLAIMS, iat: at(-100), exp: at(-29) }))).resolves.toBeDefined();
    expect(await codeAndDetail(asOwn(await sign({ ...OWN_CLAIMS, iat: at(-100), exp: at(-30) })))).toEqual([
      'token_expired',
      'The token has expired; get a new one.',
    ]);
  });

  it('refuses a token not valid before a time more than 30 s ahead (nbf)', async () => {
    await expect(asOwn(await sign({ ...OWN_CLAIMS, nbf: at(30) }))).resolves.toBeDefined();
    expect(await codeAndDetail(asOwn(await sign({ ...OWN_CLAIMS, nbf: at(31) })))).toEqual([
      'token_not_yet_valid',
      'The token is not valid yet (nbf).',
    ]);
  });

  it('refuses a token claiming to be issued more than 30 s in the future (iat)', async () => {
    await expect(asOwn(await sign({ ...OWN_CLAIMS, iat: at(30) }))).resolves.toBeDefined();
    expect(await codeAndDetail(asOwn(await sign({ ...OWN_CLAIMS, iat: at(31) })))).toEqual([
      'token_not_yet_valid',
      'The token claims to be issued in the future (iat).',
    ]);
  });
});

describe('a trusted IdP’s tokens', () => {
  it('need exp, iat and sub, but no client_id or jti (other IdPs need not issue them)', async () => {
    await expect(asIdp(await sign(IDP_CLAIMS), trusted('A', 'aud-a'))).resolves.toBeDefined();
    for (const claim of ['exp', 'sub']) {
      expect(
        await codeAndDetail(asIdp(await sign({ ...IDP_CLAIMS, [claim]: undefined }), trusted('A', 'aud-a'))),
      ).toEqual(['token_invalid', `The token claim ${claim} is missing or invalid.`]);
    }
  });

  it('may be up to 2 hours old, not older (IdPs choose their own lifetimes; we still bound them)', async () => {
    const minted = (age: number) => sign({ ...IDP_CLAIMS, iat: at(-age), exp: at(3600) });
    await expect(asIdp(await minted(2 * 3600 + 30), trusted('A', 'aud-a'))).resolves.toBeDefined();
    expect((await refusal(asIdp(await minted(2 * 3600 + 31), trusted('A', 'aud-a')))).code).toBe(
      'token_expired',
    );
  });

  it('must name an audience configured for the issuer, and the refusal names none of them', async () => {
    for (const aud of ['aud-x', ['aud-x', 'aud-y'], undefined, 7]) {
      const e = await refusal(
        asIdp(await sign({ ...IDP_CLAIMS, aud }), trusted('A', 'aud-a'), trusted('B', 'aud-b')),
      );
      expect([e.code, e.detail]).toEqual([
        'token_audience_mismatch',
        'The token audience is not one configured for its issuer.',
      ]);
    }
  });

  it('are refused as ambiguous, naming no org, when they satisfy entries of two orgs', async () => {
    const e = await refusal(
      asIdp(await sign({ ...IDP_CLAIMS, aud: 'shared' }), trusted('A', 'shared'), trusted('B', 'shared')),
    );
    expect(e.code).toBe('token_issuer_ambiguous');
    expect(e.detail).toBe(
      'The token satisfies the trusted issuers of more than one organization; the organization it is for must ' +
        'require its own audience (<public URL>/v1/orgs/<org id>).',
    );
  });
});
