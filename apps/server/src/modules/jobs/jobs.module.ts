import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import { installSchedules, type ScheduledJob } from '../../platform/jobs/index.ts';
import type { Platform } from '../../platform/platform.ts';
import { cronRoutes } from './cron.routes.ts';
import { jobRoutes } from './jobs.routes.ts';

export interface JobsModule {
  readonly name: 'jobs';
  /** `GET /v1/jobs/{id}`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** `POST /api/cron/{job}`. */
  readonly publicRoutes: readonly FastifyPluginAsync[];
}

/**
 * Background work as users and operators see it: a job's state (`/v1/jobs/{id}`), and the cron jobs the other
 * modules contribute, installed here (sent by the scheduler role, run by workers) and runnable over HTTP with
 * `CRON_SECRET`. The job runner itself is platform/jobs.
 */
export async function createJobsModule(
  deps: Pick<Platform, 'db' | 'queue' | 'roles'> & {
    config: Pick<Config, 'cronSecret'>;
    /** What every module scheduled (`schedules` in their factories' parts). */
    schedules: readonly ScheduledJob[];
  },
): Promise<JobsModule> {
  await installSchedules(deps.queue, deps.schedules, {
    schedule: deps.roles.scheduler,
    work: deps.roles.worker,
  });
  return {
    name: 'jobs',
    routes: [jobRoutes(deps.db)],
    publicRoutes: [cronRoutes({ secret: deps.config.cronSecret, jobs: deps.schedules })],
  };
}
