export * from './problem.ts';
export * from './common.ts';
export * from './jobs.ts';
export * from './servers.ts';
export * from './capabilities.ts';
