import type { CryptoKey, JWTVerifyGetKey } from 'jose';
import { beforeAll } from 'vitest';
import { TokenFailure } from '../src/modules/oauth/tokens/token-failure.ts';
import {
  type IssuerResolution,
  type TrustedIssuer,
  type VerifyAccessTokenOptions,
  verifyAccessToken,
} from '../src/modules/oauth/tokens/verify-access-token.ts';
import { at, createTokenSigner, TOKEN_NOW, type TokenSigner } from './access-token-signer.ts';

/**
 * The cases the access-token verifier's unit tests share (verify-access-token.claims and .keys): our issuer and
 * a trusted IdP, claims that pass, and helpers that read a refusal. Importing it registers the signer's
 * beforeAll in the importing file; `signer` and `keys` are live bindings set there.
 */
export const OWN = 'https://sc.example.com/oidc';
export const IDP = 'https://idp.example.com';
export const RESOURCE = 'https://sc.example.com/v1';

export let signer: TokenSigner;
export let keys: JWTVerifyGetKey;
beforeAll(async () => {
  signer = await createTokenSigner();
  keys = signer.keys;
});
export const sign = (claims: Record<string, unknown>, header?: Record<string, unknown>, key?: CryptoKey) =>
  signer.sign(claims, header, key);

export const OWN_CLAIMS = {
  sub: 'u1',
  client_id: 'c1',
  jti: 'j1',
  iss: OWN,
  aud: RESOURCE,
  iat: at(0),
  exp: at(300),
};
export const IDP_CLAIMS = { sub: 'u1', iss: IDP, aud: 'aud-a', iat: at(0), exp: at(300) };

export const own = (k: JWTVerifyGetKey = keys, issuer = OWN): IssuerResolution => ({
  kind: 'own',
  issuer,
  keys: k,
});
export const trusted = (orgId: string, audience: string, k: JWTVerifyGetKey = keys): TrustedIssuer => ({
  kind: 'trusted',
  id: `${orgId}/${audience}`,
  orgId,
  issuer: IDP,
  audience,
  keys: k,
});
export const opts = (resolution: IssuerResolution | undefined): VerifyAccessTokenOptions => ({
  resource: RESOURCE,
  now: TOKEN_NOW,
  resolveIssuer: async () => resolution,
});
export const asOwn = (token: string, k?: JWTVerifyGetKey) => verifyAccessToken(token, opts(own(k)));
export const asIdp = (token: string, ...candidates: TrustedIssuer[]) =>
  verifyAccessToken(token, opts({ kind: 'trusted', candidates }));

export async function refusal(p: Promise<unknown>): Promise<TokenFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TokenFailure) return e;
    throw e;
  }
  throw new Error('accepted');
}
export const codeAndDetail = async (p: Promise<unknown>) => {
  const e = await refusal(p);
  return [e.code, e.detail];
};
