export type { Config } from './config/index.ts';
export { parseConfig } from './config/index.ts';
export type { ComposeOptions, SprintConnect } from './main.ts';
export { compose, MIGRATIONS_DIR } from './main.ts';
export type { StartOptions } from './start.ts';
export { start } from './start.ts';
