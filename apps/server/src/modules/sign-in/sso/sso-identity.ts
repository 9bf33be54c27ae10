import * as oidc from 'openid-client';
import type { IdpIdentity } from '../accounts/sso-account.ts';

type Tokens = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/**
 * The person behind a verified ID token: subject and issuer from the token, name and email from its claims, or
 * from the userinfo endpoint when the provider keeps them there (OIDC Core §5.4 allows either).
 */
export async function idpIdentityOf(
  config: oidc.Configuration,
  tokens: Tokens,
): Promise<{ ok: true; identity: IdpIdentity } | { ok: false; detail: string }> {
  const claims = tokens.claims();
  if (claims === undefined) return { ok: false, detail: 'the provider returned no ID token' };
  let email = typeof claims.email === 'string' ? claims.email : undefined;
  let name = typeof claims.name === 'string' ? claims.name : undefined;
  let verified = typeof claims.email_verified === 'boolean' ? claims.email_verified : undefined;
  if (email === undefined || name === undefined) {
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      email ??= typeof info.email === 'string' ? info.email : undefined;
      name ??= typeof info.name === 'string' ? info.name : undefined;
      verified ??= typeof info.email_verified === 'boolean' ? info.email_verified : undefined;
    } catch {
      // Userinfo is optional; a missing email is reported below.
    }
  }
  if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    return { ok: false, detail: 'the provider did not share an email address (request the "email" scope)' };
  }
  return {
    ok: true,
    identity: {
      issuer: claims.iss,
      subject: claims.sub,
      email: email.toLowerCase(),
      emailVerified: verified,
      name: name ?? email,
    },
  };
}
