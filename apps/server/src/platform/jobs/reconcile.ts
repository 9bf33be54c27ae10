/**
 * Reconciling `jobs` rows with the queue (issue 8, points 13 and 20). A row is the truth about its job; two
 * things can leave it behind:
 * - a running job whose lease lapsed: its run is gone (crash, kill, lost database). The reaper retries it
 *   under the kind's retry policy, or fails it when that was the last attempt;
 * - a waiting job whose message the queue has ended (dead-lettered, removed): no delivery will ever come.
 *   It is failed with `delivery_lost`, which frees its subject for a new request.
 * The same function serves the periodic sweep, the dead-letter consumer, and a request that finds the job.
 */
import type { Tx } from '../db/index.ts';
import { sqlExecutorFor, withTenant } from '../db/index.ts';
import { deliveryLost, workerLost } from './job-errors.ts';
import { recentMeanDurationMs } from './job-records.repo.ts';
import type { JobRow } from './job-view.ts';
import {
  endRun,
  findLapsed,
  findWaitingToCheck,
  lockJob,
  settleEnded,
  settleWaiting,
} from './leases.repo.ts';
import { decideRetry } from './retry-policy.ts';
import { FIRST_ESTIMATE_MS, type RunnerCore, sendAttempt } from './runner-core.ts';

type Locked = JobRow & { leased: boolean; legacyRun: boolean };

const WAITING = new Set(['queued', 'retrying']);

/** Whether a job may still make progress: a run holds it, or its message may still be delivered. */
export async function isAlive(core: RunnerCore, tx: Tx, row: Locked): Promise<boolean> {
  if (row.leased) return true;
  // A running job whose lease lapsed has no run: its message, even if pending, is no proof of life. One from
  // before leases may still be running, as long as the queue still holds its delivery.
  if (row.state === 'running' && !row.legacyRun) return false;
  const kind = core.kinds.get(row.kind);
  if (kind === undefined) return true;
  const exec = sqlExecutorFor(tx);
  const state =
    row.message_id === null
      ? await core.queue.messageStateByData(kind.queue, { jobId: row.id }, exec)
      : await core.queue.messageState(kind.queue, row.message_id, exec);
  return state === 'pending';
}

/** The reaper: a running job whose run is gone is retried or failed, and its run recorded as lost. */
async function reap(core: RunnerCore, tx: Tx, row: Locked): Promise<void> {
  const kind = core.kinds.get(row.kind);
  if (row.lease_token !== null) {
    await endRun(tx, row.org_id, row.id, row.lease_token, {
      outcome: 'lost',
      errorCode: 'worker_lost',
      at: row.lease_expires_at,
    });
  }
  const decision =
    kind === undefined
      ? ({ final: true } as const)
      : decideRetry(kind.retry, { attempt: row.attempts, retryable: true });
  const error = workerLost(row.attempts, row.max_attempts, !decision.final);
  if (!decision.final && kind !== undefined) {
    const mean = await recentMeanDurationMs(tx, row.org_id, row.kind);
    const messageId = await sendAttempt(
      core,
      tx,
      kind,
      { orgId: row.org_id, jobId: row.id },
      decision.delaySeconds,
    );
    await settleWaiting(
      tx,
      row.org_id,
      row.id,
      { lapsed: true },
      {
        messageId,
        delaySeconds: decision.delaySeconds,
        etaMs: mean ?? FIRST_ESTIMATE_MS,
        error,
      },
    );
    return;
  }
  const ended = await settleEnded(
    tx,
    row.org_id,
    row.id,
    { lapsed: true },
    {
      state: 'failed',
      error,
      finishedAt: core.clock.now(),
    },
  );
  if (ended !== undefined) await kind?.failed?.(tx, ended, error);
}

/** A waiting job whose message is gone is closed, so its subject is free for a new job. */
async function loseDelivery(core: RunnerCore, tx: Tx, row: Locked): Promise<void> {
  const error = deliveryLost();
  const ended = await settleEnded(
    tx,
    row.org_id,
    row.id,
    { waiting: row.message_id },
    {
      state: 'failed',
      error,
      finishedAt: core.clock.now(),
    },
  );
  if (ended !== undefined) await core.kinds.get(row.kind)?.failed?.(tx, ended, error);
}

/**
 * Brings one row in line with reality, in the caller's transaction (tenant set). `endedMessage` is a message
 * known to be over (a dead letter's source); otherwise the queue is asked. Returns whether the row changed.
 */
export async function reconcileRow(
  core: RunnerCore,
  tx: Tx,
  orgId: string,
  id: string,
  endedMessage?: string,
): Promise<boolean> {
  const row = await lockJob(tx, orgId, id);
  if (row === undefined || row.leased) return false;
  if (row.state === 'running') {
    await reap(core, tx, row);
    return true;
  }
  if (!WAITING.has(row.state)) return false;
  if (endedMessage !== undefined) {
    if (row.message_id !== null && row.message_id !== endedMessage) return false;
  } else if (await isAlive(core, tx, row)) {
    return false;
  }
  await loseDelivery(core, tx, row);
  return true;
}

/** One pass over all orgs: lapsed leases first (they are the urgent ones), then waiting jobs due a check. */
export async function sweep(core: RunnerCore): Promise<{ reaped: number; lost: number }> {
  let reaped = 0;
  let lost = 0;
  for (const r of await findLapsed(core.db, 50)) {
    try {
      if (await withTenant(core.db, r.org_id, (tx) => reconcileRow(core, tx, r.org_id, r.id))) reaped += 1;
    } catch (error) {
      core.onError(error, 'job reaper');
    }
  }
  // A waiting job is due a check once it should have been picked up 15 s ago; each is checked at most every
  // 30 s, 20 per pass, so a long backlog costs the queue a few lookups a second, not one per row.
  for (const r of await findWaitingToCheck(core.db, 15, 30, 20)) {
    if (!core.kinds.has(r.kind)) continue;
    try {
      if (await withTenant(core.db, r.org_id, (tx) => reconcileRow(core, tx, r.org_id, r.id))) lost += 1;
    } catch (error) {
      core.onError(error, 'job reconciler');
    }
  }
  return { reaped, lost };
}
