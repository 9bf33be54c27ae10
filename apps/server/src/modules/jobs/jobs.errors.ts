import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

export const JOBS_ERRORS = defineErrors({
  job_not_found: { status: 404, title: 'Job not found' },
  cron_job_not_found: { status: 404, title: 'Scheduled job not found' },
});

export type JobsErrorCode = CodeOf<typeof JOBS_ERRORS>;

export class JobsError extends AppError<JobsErrorCode> {}
