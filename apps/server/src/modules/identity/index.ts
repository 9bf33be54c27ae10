export { generateApiKey, prefixOf } from './api-key-token.ts';
export type { ApiKeyService } from './api-keys.service.ts';
export { apiKeyAuthenticator, createApiKeyService } from './api-keys.service.ts';
export type { Authenticator, AuthRequest } from './authenticator.ts';
export { bearerToken, looksLikeJwt } from './authenticator.ts';
export type { Principal } from './principal.ts';
export { actorOf } from './principal.ts';
