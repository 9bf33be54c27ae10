export type { AdminKey, AdminKeyOptions } from './admin-key.ts';
export { createAdminKey } from './admin-key.ts';
export type { Config } from './config/index.ts';
export { parseConfig } from './config/index.ts';
export type { ComposeOptions, SprintConnect } from './main.ts';
export { compose, MIGRATIONS_DIR } from './main.ts';
export type { StartOptions } from './start.ts';
export { start } from './start.ts';
