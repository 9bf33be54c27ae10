/**
 * One delivery of a job message: find whether it has anything to run (or is stale, a duplicate, its subject
 * gone), take a slot on its host (waiting briefly, else parking the job), claim the job's lease, run the attempt
 * under a heartbeat, and settle the outcome, every write fenced by the lease. pg-boss delivers at least once;
 * the claim is what makes a second delivery harmless (issue 8, point 21).
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/index.ts';
import { withTenant } from '../db/index.ts';
import { deferredTooOften, unexpected, waitTooLong } from './job-errors.ts';
import type { AttemptOutcome, JobKind, JobMessage } from './job-kind.ts';
import { recentMeanDurationMs } from './job-records.repo.ts';
import type { JobRow } from './job-view.ts';
import { LeaseLostError } from './lease-keeper.ts';
import {
  claimLease,
  endRun,
  lockJob,
  recordProgress,
  settleEnded,
  settleSucceeded,
  settleWaiting,
} from './leases.repo.ts';
import type { QueuedJob, Settlement } from './queue.ts';
import { decideRetry } from './retry-policy.ts';
import { FIRST_ESTIMATE_MS, MAX_PARK_SECONDS, type RunnerCore, sendAttempt } from './runner-core.ts';

type WaitingExtra = Omit<Parameters<typeof settleWaiting>[4], 'messageId' | 'delaySeconds' | 'etaMs'>;

interface Claimed<I> {
  row: JobRow;
  input: I;
  token: string;
  startedAt: Date;
  releaseHost: () => void;
}

/** How long an attempt waits in this process for a slot on its host before it is parked (ADR 0024). */
const HOST_WAIT_MS = 5000;

type Locked = NonNullable<Awaited<ReturnType<typeof lockJob>>>;

/** Finished, running (leased, or lapsed: the reaper's), or a message that is no longer the job's: nothing to do. */
const claimable = (row: Locked | undefined, msg: QueuedJob<JobMessage>): row is Locked =>
  row !== undefined &&
  (row.state === 'queued' || row.state === 'retrying') &&
  !row.leased &&
  (row.message_id === null || row.message_id === msg.id);

/**
 * Whether this delivery has anything to run, and against which host; a job whose subject is gone is cancelled
 * here. Its own short transaction: the attempt may then wait for a host slot, which no transaction should span.
 */
async function inspect<I>(
  core: RunnerCore,
  kind: JobKind<I>,
  msg: QueuedJob<JobMessage>,
  tx: Tx,
): Promise<{ host: string | undefined } | undefined> {
  const { orgId, jobId } = msg.data;
  const row = await lockJob(tx, orgId, jobId);
  if (!claimable(row, msg)) return undefined;
  const prepared = await kind.prepare(tx, row);
  if ('cancel' in prepared) {
    await settleEnded(
      tx,
      orgId,
      jobId,
      { waiting: row.message_id },
      {
        state: 'cancelled',
        error: prepared.cancel,
        finishedAt: core.clock.now(),
      },
    );
    return undefined;
  }
  return { host: prepared.host };
}

/**
 * The host stayed at its cap: the job is delivered again later, as a new message, costing no attempt. The wait
 * doubles with each park of the same job (1 s up to 30 s), so jobs behind a hanging host cost the database a
 * little, not a claim per job per second.
 */
async function park(core: RunnerCore, kind: JobKind<unknown>, msg: QueuedJob<JobMessage>, tx: Tx) {
  const { orgId, jobId } = msg.data;
  const row = await lockJob(tx, orgId, jobId);
  if (!claimable(row, msg)) return;
  const parks = typeof msg.data.parks === 'number' ? msg.data.parks : 0;
  const delaySeconds = Math.min(MAX_PARK_SECONDS, 2 ** parks);
  const messageId = await sendAttempt(core, tx, kind, { orgId, jobId, parks: parks + 1 }, delaySeconds);
  await settleWaiting(
    tx,
    orgId,
    jobId,
    { waiting: row.message_id },
    {
      messageId,
      delaySeconds,
      etaMs: null,
      state: row.state === 'retrying' ? 'retrying' : 'queued',
    },
  );
}

/** Claims the job's lease for this delivery; undefined when it is no longer there to run. */
async function claim<I>(
  core: RunnerCore,
  kind: JobKind<I>,
  msg: QueuedJob<JobMessage>,
  tx: Tx,
): Promise<Omit<Claimed<I>, 'releaseHost'> | undefined> {
  const { orgId, jobId } = msg.data;
  const row = await lockJob(tx, orgId, jobId);
  if (!claimable(row, msg)) return undefined;
  // Read again under the lock: the subject may have changed (or gone) while the attempt waited for its host.
  const prepared = await kind.prepare(tx, row);
  if ('cancel' in prepared) return undefined;
  const mean = await recentMeanDurationMs(tx, orgId, kind.kind);
  const token = randomUUID();
  const startedAt = core.clock.now();
  const claimed = await claimLease(tx, {
    orgId,
    id: jobId,
    token,
    runner: core.runnerId,
    ttlMs: core.lease.ttlMs,
    startedAt,
    etaMs: mean ?? FIRST_ESTIMATE_MS,
  });
  if (claimed === undefined) return undefined;
  await kind.started?.(tx, claimed, claimed.attempts);
  return { row: claimed, input: prepared.input, token, startedAt };
}

/** Writes the outcome if the lease is still held; returns how the message is settled. */
async function settle(
  core: RunnerCore,
  kind: JobKind<unknown>,
  c: Claimed<unknown>,
  outcome: AttemptOutcome | 'interrupted',
): Promise<Settlement> {
  const { org_id: orgId, id } = c.row;
  const fence = { token: c.token };
  return withTenant(core.db, orgId, async (tx) => {
    const held = await lockJob(tx, orgId, id);
    if (held === undefined || held.lease_token !== c.token || !held.leased) return 'completed';
    const mean = (await recentMeanDurationMs(tx, orgId, kind.kind)) ?? FIRST_ESTIMATE_MS;
    const wait = async (delaySeconds: number, extra: WaitingExtra) => {
      const messageId = await sendAttempt(core, tx, kind, { orgId, jobId: id }, delaySeconds);
      await settleWaiting(tx, orgId, id, fence, { messageId, delaySeconds, etaMs: mean, ...extra });
    };
    if (outcome === 'interrupted') {
      // The process is stopping: the job goes back to the queue for another process, uncounted.
      await endRun(tx, orgId, id, c.token, { outcome: 'interrupted' });
      await wait(0, { uncount: true });
      return 'completed';
    }
    if (outcome.type === 'succeeded') {
      const result = await outcome.commit(tx);
      await settleSucceeded(tx, orgId, id, fence, {
        result,
        finishedAt: core.clock.now(),
        stage: outcome.stage,
      });
      await endRun(tx, orgId, id, c.token, { outcome: 'succeeded' });
      return 'completed';
    }
    if (outcome.type === 'deferred' && held.deferrals < kind.maxDeferrals) {
      await endRun(tx, orgId, id, c.token, { outcome: 'deferred', errorCode: outcome.error.code });
      await wait(outcome.afterSeconds, { error: outcome.error, uncount: true, deferral: true });
      return 'completed';
    }
    let error = outcome.type === 'deferred' ? deferredTooOften(outcome.error, held.deferrals) : outcome.error;
    const retryAfterSeconds = outcome.type === 'failed' ? outcome.retryAfterSeconds : undefined;
    const decision =
      outcome.type === 'deferred'
        ? ({ final: true, reason: 'attempts_spent' } as const)
        : decideRetry(kind.retry, { attempt: held.attempts, retryable: error.retryable, retryAfterSeconds });
    if (!decision.final) {
      await endRun(tx, orgId, id, c.token, { outcome: 'retry', errorCode: error.code });
      await wait(decision.delaySeconds, { error });
      return 'completed';
    }
    if (decision.reason === 'retry_after_too_long' && retryAfterSeconds !== undefined) {
      error = waitTooLong(error, retryAfterSeconds, kind.retry.maxRetryAfterSeconds);
    }
    const ended = await settleEnded(tx, orgId, id, fence, {
      state: 'failed',
      error,
      finishedAt: core.clock.now(),
    });
    await endRun(tx, orgId, id, c.token, { outcome: 'failed', errorCode: error.code });
    if (ended !== undefined) await kind.failed?.(tx, ended, error);
    // Retries spent on a failure that might pass: the message goes to the dead-letter queue, where operators
    // look. A failure no retry can fix just completes it; the job row says why.
    return error.retryable ? 'deadletter' : 'completed';
  });
}

/** The queue handler for every job kind. */
export async function deliver<I>(
  core: RunnerCore,
  kind: JobKind<I>,
  msg: QueuedJob<JobMessage>,
): Promise<Settlement> {
  const { orgId, jobId } = (msg.data ?? {}) as Partial<JobMessage>;
  if (typeof orgId !== 'string' || typeof jobId !== 'string' || core.shutdown.aborted) {
    if (core.shutdown.aborted) throw new Error('the process is stopping; the message is delivered again');
    return 'completed';
  }
  const found = await withTenant(core.db, orgId, (tx) => inspect(core, kind, msg, tx));
  if (found === undefined) return 'completed';
  let releaseHost: () => void = () => {};
  if (found.host !== undefined) {
    // Like a concurrency limiter in the Sidekiq Enterprise manner: wait briefly for a slot, then reschedule.
    const release = await core.hosts.take(found.host, { maxWaitMs: HOST_WAIT_MS, signal: core.shutdown });
    if (release === undefined) {
      if (core.shutdown.aborted) throw new Error('the process is stopping; the message is delivered again');
      await withTenant(core.db, orgId, (tx) => park(core, kind as JobKind<unknown>, msg, tx));
      return 'completed';
    }
    releaseHost = release;
  }
  let begun: Omit<Claimed<I>, 'releaseHost'> | undefined;
  try {
    begun = await withTenant(core.db, orgId, (tx) => claim(core, kind, msg, tx));
  } finally {
    if (begun === undefined) releaseHost();
  }
  if (begun === undefined) return 'completed';
  const claimed: Claimed<I> = { ...begun, releaseHost };

  const controller = new AbortController();
  const release = core.keeper.hold(claimed.token, (e) => controller.abort(e));
  const onShutdown = () => controller.abort(core.shutdown.reason);
  core.shutdown.addEventListener('abort', onShutdown, { once: true });
  let outcome: AttemptOutcome;
  try {
    outcome = await kind.run({
      job: claimed.row,
      attempt: claimed.row.attempts,
      input: claimed.input,
      startedAt: claimed.startedAt,
      signal: AbortSignal.any([controller.signal, msg.signal]),
      progress: async (p) => {
        await withTenant(core.db, orgId, (tx) => recordProgress(tx, orgId, jobId, claimed.token, p));
      },
    });
  } catch (error) {
    core.onError(error, `job ${kind.kind} attempt`);
    outcome = { type: 'failed', error: unexpected(error) };
  } finally {
    release();
    claimed.releaseHost();
    core.shutdown.removeEventListener('abort', onShutdown);
  }
  // A run that lost its lease writes nothing: the reaper has its job (and records the run as lost).
  if (controller.signal.reason instanceof LeaseLostError) return 'completed';
  const interrupted = core.shutdown.aborted && controller.signal.aborted;
  try {
    return await settle(
      core,
      kind as JobKind<unknown>,
      claimed as Claimed<unknown>,
      interrupted ? 'interrupted' : outcome,
    );
  } catch (error) {
    // Nothing was written; the lease lapses and the reaper retries the job (or fails it on its last attempt).
    core.onError(error, `job ${kind.kind} settle`);
    throw error;
  }
}
