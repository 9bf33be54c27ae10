import { randomUUID } from 'node:crypto';
import type { Clock } from '../../kernel/index.ts';
import type { Db, Tx } from '../db/index.ts';
import { sqlExecutorFor } from '../db/index.ts';
import type { JobKind, JobMessage } from './job-kind.ts';
import type { LeaseKeeper, LeaseTiming } from './lease-keeper.ts';
import type { JobQueue } from './queue.ts';
import type { HostGate } from './slots.ts';

/** What the runner's parts (attempts, reconciliation, requests) share within one process. */
export interface RunnerCore {
  readonly db: Db;
  readonly queue: JobQueue;
  readonly clock: Clock;
  /** This process's id in `jobs.lease_runner` and `job_runs.runner`. */
  readonly runnerId: string;
  readonly lease: LeaseTiming;
  readonly keeper: LeaseKeeper;
  readonly hosts: HostGate;
  readonly kinds: ReadonlyMap<string, JobKind<unknown>>;
  /** Aborted when the process stops: running attempts give their jobs back uncounted. */
  readonly shutdown: AbortSignal;
  onError(error: unknown, where: string): void;
}

/** Before a kind has a history of successful jobs, an attempt is expected to take this long (for the ETA). */
export const FIRST_ESTIMATE_MS = 5000;

/** The longest a parked attempt (its host at its cap) waits before it is delivered again. */
export const MAX_PARK_SECONDS = 30;

/**
 * Sends the message for a job's next attempt in `tx`, so it exists if and only if the row change that points
 * at it commits. Returns its id, to be stored in `jobs.message_id`.
 */
export async function sendAttempt(
  core: RunnerCore,
  tx: Tx,
  kind: JobKind<unknown>,
  job: JobMessage,
  delaySeconds: number,
  id: string = randomUUID(),
): Promise<string> {
  const data: JobMessage = { ...job };
  await core.queue.send(kind.queue, data, {
    id,
    groupId: job.orgId,
    ...(delaySeconds > 0 ? { startAfterSeconds: Math.ceil(delaySeconds) } : {}),
    executeSql: sqlExecutorFor(tx),
  });
  return id;
}
