export { OAUTH_ERRORS } from './oauth.errors.ts';
export type { OAuthModule, OAuthTestOptions } from './oauth.module.ts';
export { createOAuthModule } from './oauth.module.ts';
export type { OAuthUser } from './server/oauth-user.ts';
export type { OAuthServerTables } from './server/server.schema.ts';
export { createSigningKeys } from './server/signing-keys.ts';
export { accessTokenHash } from './tokens/dpop-proof.ts';
export type { OAuthTokensTables } from './tokens/tokens.schema.ts';
