export type { App, AppDeps } from './app.ts';
export { buildApp } from './app.ts';
export type { CronJob } from './cron.routes.ts';
export { cronRoutes } from './cron.routes.ts';
