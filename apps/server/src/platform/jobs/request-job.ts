/**
 * Asking for a job on a subject: one unfinished job per subject and kind (the partial unique index of
 * migration 001), so a second request gets the job already there. But only a job that can still make progress
 * is handed back: one whose run is gone or whose message the queue has ended is reconciled first (retried or
 * closed), and a closed one is replaced by a new job (issue 8, point 13). A request that `supersede`s ends the
 * unfinished job instead, whatever its state, and starts a new one (issue 10 point 6, ADR 0039).
 */
import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../../kernel/index.ts';
import type { Tx } from '../db/index.ts';
import type { JobKind } from './job-kind.ts';
import { findActiveJob, insertJob } from './job-records.repo.ts';
import type { JobErrorView, JobRow } from './job-view.ts';
import { endRun, lockJob, settleSuperseded } from './leases.repo.ts';
import { isAlive, reconcileRow } from './reconcile.ts';
import { type RunnerCore, sendAttempt } from './runner-core.ts';

export interface JobRequest {
  orgId: string;
  subjectType: string;
  subjectId: string;
  params: Record<string, unknown>;
  requestedBy: string;
  /** Runs in the transaction only when a new job is created (e.g. take a quota). */
  beforeCreate?: () => Promise<void>;
  /**
   * The unfinished job on the subject, if any, is stale (discovery of a server whose URL just changed): it is
   * ended as `cancelled` with this error, a run still going loses its lease, and a new job is created.
   */
  supersede?: JobErrorView | undefined;
}

/** The live unfinished job of this kind on this subject, after reconciling a dead one; undefined if none. */
async function liveActiveJob(core: RunnerCore, tx: Tx, kind: JobKind<unknown>, r: JobRequest) {
  const active = await findActiveJob(tx, r.orgId, kind.kind, r.subjectId);
  if (active === undefined) return undefined;
  const locked = await lockJob(tx, r.orgId, active.id);
  if (locked !== undefined && (await isAlive(core, tx, locked))) return active;
  await reconcileRow(core, tx, r.orgId, active.id);
  // Reaped jobs with attempts left are retried, and so still active; closed ones are not.
  return findActiveJob(tx, r.orgId, kind.kind, r.subjectId);
}

/** Ends the subject's unfinished job, if any, with `error`; its run (if one holds it) is recorded as superseded. */
async function supersede(
  core: RunnerCore,
  tx: Tx,
  kind: JobKind<unknown>,
  r: JobRequest,
  error: JobErrorView,
) {
  const active = await findActiveJob(tx, r.orgId, kind.kind, r.subjectId);
  if (active === undefined) return undefined;
  const locked = await lockJob(tx, r.orgId, active.id);
  if (locked === undefined) return undefined;
  if (locked.state === 'running' && locked.lease_token !== null) {
    await endRun(tx, r.orgId, locked.id, locked.lease_token, {
      outcome: 'superseded',
      errorCode: error.code,
    });
  }
  return settleSuperseded(tx, r.orgId, locked.id, { error, finishedAt: core.clock.now() });
}

export async function requestJob(
  core: RunnerCore,
  tx: Tx,
  kind: JobKind<unknown>,
  r: JobRequest,
): Promise<{ job: JobRow; created: boolean; superseded?: JobRow | undefined }> {
  const superseded = r.supersede === undefined ? undefined : await supersede(core, tx, kind, r, r.supersede);
  // A racing request on another connection may create the job between our look and our insert; the insert
  // then waits for it and inserts nothing, and the next look finds it. Three rounds cover a job that also
  // finished in between.
  let taken = false;
  for (let round = 0; round < 3; round += 1) {
    const live = await liveActiveJob(core, tx, kind, r);
    if (live !== undefined) return { job: live, created: false };
    if (!taken) await r.beforeCreate?.();
    taken = true;
    const jobId = uuidv7();
    const messageId = randomUUID();
    const inserted = await insertJob(tx, {
      orgId: r.orgId,
      id: jobId,
      kind: kind.kind,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      maxAttempts: kind.retry.maxAttempts,
      params: r.params,
      requestedBy: r.requestedBy,
      messageId,
    });
    if (inserted) {
      await sendAttempt(core, tx, kind, { orgId: r.orgId, jobId }, 0, messageId);
      const job = await findActiveJob(tx, r.orgId, kind.kind, r.subjectId);
      if (job !== undefined) return { job, created: true, superseded };
    }
  }
  throw new Error(`could not create or find a ${kind.kind} job for ${r.subjectType} ${r.subjectId}`);
}
