import type { JobQueue } from './queue.ts';

/**
 * A job that runs on a cron schedule: in the scheduler role pg-boss sends it (once per occurrence across all
 * processes), in the worker role it is run, and `POST /api/cron/{name}` runs it at once. `run` must be
 * idempotent: pg-boss delivers at least once, and the cron endpoint may be called at any time.
 */
export interface ScheduledJob {
  readonly name: string;
  /** Five-field cron, UTC. */
  readonly cron: string;
  readonly description: string;
  run(): Promise<Record<string, unknown>>;
}

export async function installSchedules(
  queue: JobQueue,
  jobs: readonly ScheduledJob[],
  roles: { schedule: boolean; work: boolean },
): Promise<void> {
  for (const job of jobs) {
    await queue.ensure({
      name: job.name,
      retryLimit: 3,
      retryDelaySeconds: 60,
      expireInSeconds: 600,
      concurrency: 1,
    });
    if (roles.schedule) await queue.schedule(job.name, job.cron, { catchUp: true });
    if (roles.work) {
      await queue.work(job.name, async () => {
        await job.run();
      });
    }
  }
}
