import type { Problem } from '@sprintconnect/contracts';

export type FieldError = NonNullable<Problem['errors']>[number];

/** The API answered with an error: an RFC 9457 problem document (or one synthesized for a non-problem reply). */
export class SprintConnectError extends Error {
  override readonly name = 'SprintConnectError';
  readonly problem: Problem;
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldError[];

  constructor(problem: Problem) {
    super(`${problem.title}: ${problem.detail}`);
    this.problem = problem;
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
  }
}

/** The request never got an HTTP answer (refused, reset, DNS, TLS, aborted). */
export class SprintConnectConnectionError extends Error {
  override readonly name = 'SprintConnectConnectionError';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`cannot reach SprintConnect at ${url}: ${describeCause(cause)}`, { cause });
    this.url = url;
  }
}

/** `jobs.wait` gave up before the job reached a final state; the job itself keeps running. */
export class JobWaitTimeoutError extends Error {
  override readonly name = 'JobWaitTimeoutError';
  readonly jobId: string;
  readonly timeoutMs: number;

  constructor(jobId: string, timeoutMs: number) {
    super(`job ${jobId} did not finish within ${timeoutMs} ms; it is still running on the server`);
    this.jobId = jobId;
    this.timeoutMs = timeoutMs;
  }
}

// fetch wraps the socket error (ECONNREFUSED, ENOTFOUND...) in a generic "fetch failed" TypeError.
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause;
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${inner.message})` : inner.message;
  }
  return cause.message;
}
