/**
 * The errors the job machinery itself records on a job (`jobs.error`), as opposed to what a kind's attempt
 * reports. Same shape as every job error: a stable code, what happened, and what the reader can do.
 */
import type { JobErrorView } from './job-view.ts';

/** A run stopped renewing its lease: its process crashed, was killed, or lost the database (point 20). */
export function workerLost(attempt: number, maxAttempts: number, retried: boolean): JobErrorView {
  return {
    code: 'worker_lost',
    message:
      `The worker running attempt ${attempt} of ${maxAttempts} stopped renewing its lease (the process ` +
      `crashed, was killed, or lost its database connection). ${retried ? 'The job is retried on another worker.' : 'That was the last attempt.'}`,
    guidance:
      'Nothing to do if this happened once. If it recurs, check the SprintConnect worker logs and the memory ' +
      'and CPU limits of its processes around the time of the attempt: a job that brings its worker down ' +
      'fails once its attempts are spent.',
    retryable: true,
  };
}

/** The queue no longer holds a delivery for a waiting job: dead-lettered, or removed (point 13). */
export function deliveryLost(): JobErrorView {
  return {
    code: 'delivery_lost',
    message:
      'The job queue no longer holds a delivery for this job (its message was dead-lettered or removed ' +
      'without reaching a worker), so no worker would ever run it. The job was closed.',
    guidance:
      'Request the job again; a new request starts a new job. If this recurs, check the SprintConnect worker ' +
      'logs for errors at the time the job stopped.',
    retryable: true,
  };
}

/** A job that kept being put off (its org over its own outbound rate limit) past the kind's limit. */
export function deferredTooOften(last: JobErrorView, deferrals: number): JobErrorView {
  return {
    ...last,
    message: `${last.message} (put off ${deferrals} times; giving up)`,
    retryable: true,
  };
}

/** An upstream asked for a longer wait than the kind allows (RFC 9110 §10.2.3 Retry-After). */
export function waitTooLong(last: JobErrorView, retryAfterSeconds: number, maxSeconds: number): JobErrorView {
  return {
    ...last,
    message: `${last.message} (asked to retry after ${retryAfterSeconds} s, more than the ${maxSeconds} s a job waits)`,
    retryable: true,
  };
}

/** An attempt threw instead of returning an outcome: a bug or an infrastructure failure, never a secret. */
export function unexpected(error: unknown): JobErrorView {
  const name = error instanceof Error ? error.name : 'Error';
  return {
    code: 'unknown',
    message: `The attempt failed unexpectedly (${name}).`,
    guidance: 'Try again; if it keeps failing, check the SprintConnect worker logs for this job.',
    retryable: true,
  };
}
