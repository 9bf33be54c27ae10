export * from './access.ts';
export * from './api-keys.ts';
export * from './capabilities.ts';
export * from './common.ts';
export * from './jobs.ts';
export * from './problem.ts';
export * from './servers.ts';
export * from './sso.ts';
