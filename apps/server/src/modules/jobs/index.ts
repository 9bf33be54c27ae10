export type { JobsModule } from './jobs.module.ts';
export { createJobsModule } from './jobs.module.ts';
