import type { Job } from '@sprintconnect/contracts';
import { JobWaitTimeoutError } from './errors.ts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import { sleep } from './sleep.ts';
import type { JobState } from './types.ts';

const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

export interface WaitOptions {
  /** Called with every polled state of the job, the last one included. */
  onProgress?: (job: Job) => void;
  /** Pause between polls (default 500 ms). */
  intervalMs?: number;
  /** Give up after this long with a JobWaitTimeoutError (default 10 minutes); the job keeps running. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface JobsApi {
  get(id: string): Promise<Job>;
  /** Polls until the job succeeded, failed or was cancelled, and returns it; a failed job is not an error. */
  wait(id: string, opts?: WaitOptions): Promise<Job>;
}

export function isFinal(job: Job): boolean {
  return FINAL_STATES.has(job.state);
}

export function jobsApi(request: Requester): JobsApi {
  const get = (id: string, signal?: AbortSignal) =>
    request<Job>('GET', `/v1/jobs/${segment(id)}`, signal === undefined ? {} : { signal });
  return {
    get: (id) => get(id),
    async wait(id, opts = {}) {
      const interval = opts.intervalMs ?? 500;
      const timeout = opts.timeoutMs ?? 600_000;
      const deadline = Date.now() + timeout;
      for (;;) {
        const job = await get(id, opts.signal);
        opts.onProgress?.(job);
        if (isFinal(job)) return job;
        if (Date.now() + interval > deadline) throw new JobWaitTimeoutError(id, timeout);
        await sleep(interval, opts.signal);
      }
    },
  };
}
