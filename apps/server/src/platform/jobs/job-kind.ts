import type { Tx } from '../db/index.ts';
import type { JobErrorView, JobRow } from './job-view.ts';
import type { RetryPolicy } from './retry-policy.ts';

/**
 * What a kind of job (discovery, and later health checks, exports, webhooks) tells the job runner. The runner
 * does the rest for every kind alike: the lease and its heartbeat, retries and their timing, the per-org and
 * per-host slot caps, and reconciliation with the queue (ADR 0024).
 */
export interface JobKind<I = unknown> {
  /** `jobs.kind`. */
  readonly kind: string;
  /** The pg-boss queue its messages go through. */
  readonly queue: string;
  readonly retry: RetryPolicy;
  /** The longest one attempt may take; the queue abandons a delivery after this (pg-boss expireInSeconds). */
  readonly timeoutSeconds: number;
  /** Runs put off without counting as attempts (`deferred` outcomes) before the job fails. */
  readonly maxDeferrals: number;
  /**
   * In the claim's transaction, before the lease is taken: what the attempt needs (read only), and the host it
   * will talk to (for the per-host cap). `cancel` ends the job as `cancelled` (e.g. its subject was deleted).
   */
  prepare(tx: Tx, job: JobRow): Promise<{ input: I; host?: string } | { cancel: JobErrorView }>;
  /** In the claim's transaction, once the lease is held (e.g. mark the subject as being worked on). */
  started?(tx: Tx, job: JobRow, attempt: number): Promise<void>;
  /** The attempt itself. It should stop soon after `signal` aborts (lease lost, shutdown). */
  run(ctx: AttemptContext<I>): Promise<AttemptOutcome>;
  /** In the transaction that ends the job `failed`, whoever ends it: the attempt, the reaper or the reconciler. */
  failed?(tx: Tx, job: JobRow, error: JobErrorView): Promise<void>;
}

export interface AttemptContext<I> {
  readonly job: JobRow;
  readonly attempt: number;
  readonly input: I;
  readonly startedAt: Date;
  readonly signal: AbortSignal;
  /**
   * Records progress, if the lease is still held (a run that lost it writes nothing). Without `eta` the job
   * keeps its estimate (the one set when the attempt started, from recent runs).
   */
  progress(p: { stage: string; done: number; total: number; eta?: Date | undefined }): Promise<void>;
}

export type AttemptOutcome =
  /** `commit` writes the job's effects in the transaction that marks it succeeded, and returns its result. */
  | {
      type: 'succeeded';
      commit: (tx: Tx) => Promise<Record<string, unknown>>;
      /** The stage the job shows once done (e.g. discovery's final `store`). */
      stage?: string;
    }
  /** Retried by the kind's retry policy when `error.retryable`, not before `retryAfterSeconds`. */
  | { type: 'failed'; error: JobErrorView; retryAfterSeconds?: number | undefined }
  /** Tried again after `afterSeconds` without counting as an attempt (the org's own outbound rate limit). */
  | { type: 'deferred'; error: JobErrorView; afterSeconds: number };

/** What every job message carries: a pointer to the `jobs` row, which holds everything else. */
export interface JobMessage {
  orgId: string;
  jobId: string;
  /** How often this attempt was parked already (its host at its cap): the next park waits longer. */
  parks?: number;
}
