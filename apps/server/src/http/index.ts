export type { App, AppDeps } from './app.ts';
export { buildApp } from './app.ts';
export type { Mountable } from './mount.ts';
