export { startJobQueue, deadLetterOf, installQueueSchema } from './queue.ts';
export type { JobQueue, QueueDef, QueuedJob } from './queue.ts';
export { insertJob, findJob, findActiveJob, updateJob, recentMeanDurationMs } from './job-records.repo.ts';
export { toJobView } from './job-view.ts';
export type { JobView, JobRow, JobErrorView } from './job-view.ts';
