export { API_KEYS_ERRORS } from './api-keys.errors.ts';
export type { ApiKeysModule, CredentialIssuer } from './api-keys.module.ts';
export { createApiKeysModule } from './api-keys.module.ts';
export { resolveExpiry, withinCreator } from './api-keys.rules.ts';
export type { ApiKeysTables } from './api-keys.schema.ts';
export type { LocalOperator } from './operator-key.ts';
export { createOperatorAdminKey } from './operator-key.ts';
