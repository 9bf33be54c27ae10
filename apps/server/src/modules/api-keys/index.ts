export type { ApiKeysModule } from './api-keys.module.ts';
export { createApiKeysModule } from './api-keys.module.ts';
