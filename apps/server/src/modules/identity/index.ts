export { generateApiKey, prefixOf } from './api-key-token.ts';
export type { ApiKeyService } from './api-keys.service.ts';
export { createApiKeyService } from './api-keys.service.ts';
export type { Principal } from './principal.ts';
export { actorOf } from './principal.ts';
