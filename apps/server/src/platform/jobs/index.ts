export { findActiveJob, findJob, insertJob, recentMeanDurationMs, updateJob } from './job-records.repo.ts';
export type { JobErrorView, JobRow, JobView } from './job-view.ts';
export { toJobView } from './job-view.ts';
export type { JobQueue, QueueDef, QueuedJob } from './queue.ts';
export { deadLetterOf, installQueueSchema, startJobQueue } from './queue.ts';
