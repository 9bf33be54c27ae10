export type { ApiKeysModule, CredentialIssuer } from './api-keys.module.ts';
export { createApiKeysModule } from './api-keys.module.ts';
export { resolveExpiry, withinCreator } from './api-keys.rules.ts';
export type { ApiKeysTables } from './api-keys.schema.ts';
