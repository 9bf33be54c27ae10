export type { Config } from './config/index.ts';
export { parseConfig } from './config/index.ts';
export type { ComposeOptions, SprintConnect, StartOptions } from './main.ts';
export { compose, MIGRATIONS_DIR, start } from './main.ts';
