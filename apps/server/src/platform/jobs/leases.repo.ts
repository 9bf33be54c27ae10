/**
 * The lease on a `jobs` row (migration 014, ADR 0024). Every write a run makes is fenced: it names the run's
 * lease token and requires the lease to be unexpired, in database time, so a run whose lease lapsed (and whose
 * job the reaper may have handed to another run) can no longer change anything.
 */
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Queries } from '../db/index.ts';
import type { JobErrorView, JobRow } from './job-view.ts';
import type { JobsTables } from './jobs.schema.ts';

type Q = Queries<JobsTables>;

const secondsFromNow = (s: number) => sql<Date>`now() + make_interval(secs => ${s})`;

/** Which row state a write may change. */
export type Fence =
  /** The run holding the lease, while it is unexpired. */
  | { token: string }
  /** A running job whose lease has lapsed (or that predates leases): the reaper's. */
  | { lapsed: true }
  /** A waiting job, not leased, still pointing at this message (null: sent before message ids were kept). */
  | { waiting: string | null };

function fenced(fence: Fence): Expression<SqlBool> {
  if ('token' in fence) {
    return sql<SqlBool>`(lease_token = ${fence.token}::uuid AND lease_expires_at > now())`;
  }
  if ('lapsed' in fence) {
    return sql<SqlBool>`(state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= now()))`;
  }
  return sql<SqlBool>`(state IN ('queued', 'retrying')
    AND (lease_expires_at IS NULL OR lease_expires_at <= now())
    AND message_id IS NOT DISTINCT FROM ${fence.waiting}::uuid)`;
}

/**
 * The row, locked for this transaction; whether a run holds an unexpired lease on it; and, for a running job
 * from before leases, whether its run may still be going (migration 014, jobs_legacy_run_over).
 */
export async function lockJob(tx: Q, orgId: string, id: string) {
  return tx
    .selectFrom('jobs')
    .selectAll()
    .select(sql<boolean>`coalesce(lease_expires_at > now(), false)`.as('leased'))
    .select(
      sql<boolean>`(state = 'running' AND lease_token IS NULL
        AND NOT jobs_legacy_run_over(state, lease_token, coalesce(started_at, created_at)))`.as('legacyRun'),
    )
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function claimLease(
  tx: Q,
  c: {
    orgId: string;
    id: string;
    token: string;
    runner: string;
    ttlMs: number;
    startedAt: Date;
    etaMs: number;
  },
): Promise<JobRow | undefined> {
  const row = await tx
    .updateTable('jobs')
    .set({
      state: 'running',
      attempts: sql`attempts + 1`,
      lease_token: c.token,
      lease_runner: c.runner,
      lease_expires_at: secondsFromNow(c.ttlMs / 1000),
      heartbeat_at: sql`now()`,
      next_attempt_at: null,
      started_at: c.startedAt,
      stage: null,
      progress_done: 0,
      estimated_completion_at: secondsFromNow(c.etaMs / 1000),
    })
    .where('org_id', '=', c.orgId)
    .where('id', '=', c.id)
    .where('state', 'in', ['queued', 'retrying'])
    .where(sql<SqlBool>`(lease_expires_at IS NULL OR lease_expires_at <= now())`)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) return undefined;
  await tx
    .insertInto('job_runs')
    .values({ org_id: c.orgId, job_id: c.id, lease_token: c.token, runner: c.runner, attempt: row.attempts })
    .execute();
  return row;
}

/** Progress of the run holding the lease; false when it holds it no longer. */
export async function recordProgress(
  tx: Q,
  orgId: string,
  id: string,
  token: string,
  p: { stage: string; done: number; total: number; eta?: Date | undefined },
): Promise<boolean> {
  const r = await tx
    .updateTable('jobs')
    .set({
      stage: p.stage,
      progress_done: p.done,
      progress_total: p.total,
      // No new estimate keeps the one set at the claim (kept from the past by the heartbeat).
      ...(p.eta === undefined ? {} : { estimated_completion_at: p.eta }),
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where(fenced({ token }))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

const released = { lease_token: null, lease_runner: null, lease_expires_at: null } as const;

export async function settleSucceeded(
  tx: Q,
  orgId: string,
  id: string,
  fence: Fence,
  s: { result: Record<string, unknown>; finishedAt: Date; stage?: string | undefined },
): Promise<boolean> {
  const r = await tx
    .updateTable('jobs')
    .set({
      ...released,
      state: 'succeeded',
      ...(s.stage === undefined ? {} : { stage: s.stage }),
      progress_done: sql`greatest(progress_total, progress_done)`,
      progress_total: sql`greatest(progress_total, progress_done)`,
      error: null,
      result: JSON.stringify(s.result),
      finished_at: s.finishedAt,
      estimated_completion_at: null,
      next_attempt_at: null,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where(fenced(fence))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Ends the job: `failed`, or `cancelled` when its subject is gone. */
export async function settleEnded(
  tx: Q,
  orgId: string,
  id: string,
  fence: Fence,
  s: { state: 'failed' | 'cancelled'; error: JobErrorView; finishedAt: Date },
): Promise<JobRow | undefined> {
  return tx
    .updateTable('jobs')
    .set({
      ...released,
      state: s.state,
      error: JSON.stringify(s.error),
      finished_at: s.finishedAt,
      estimated_completion_at: null,
      next_attempt_at: null,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where(fenced(fence))
    .returningAll()
    .executeTakeFirst();
}

/**
 * Ends an unfinished job whatever holds it (`cancelled`, with `error`): a newer request made its work stale.
 * Not fenced by a lease on purpose: the lease is taken from a run still going, whose next heartbeat then
 * finds nothing to extend, so the run stops and writes nothing (lease-keeper.ts).
 */
export async function settleSuperseded(
  tx: Q,
  orgId: string,
  id: string,
  s: { error: JobErrorView; finishedAt: Date },
): Promise<JobRow | undefined> {
  return tx
    .updateTable('jobs')
    .set({
      ...released,
      state: 'cancelled',
      error: JSON.stringify(s.error),
      finished_at: s.finishedAt,
      estimated_completion_at: null,
      next_attempt_at: null,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'running', 'retrying'])
    .returningAll()
    .executeTakeFirst();
}

/**
 * The job waits for its next attempt, carried by the new message `messageId` (sent in this transaction).
 * `uncount` gives back the attempt the claim counted (a deferral, a shutdown, a park).
 */
export async function settleWaiting(
  tx: Q,
  orgId: string,
  id: string,
  fence: Fence,
  s: {
    messageId: string;
    delaySeconds: number;
    etaMs: number | null;
    error?: JobErrorView;
    uncount?: boolean;
    deferral?: boolean;
    state?: 'queued' | 'retrying';
  },
): Promise<boolean> {
  const r = await tx
    .updateTable('jobs')
    .set({
      ...released,
      state: s.state ?? 'retrying',
      message_id: s.messageId,
      next_attempt_at: secondsFromNow(s.delaySeconds),
      checked_at: null,
      estimated_completion_at: s.etaMs === null ? null : secondsFromNow(s.delaySeconds + s.etaMs / 1000),
      ...(s.error === undefined ? {} : { error: JSON.stringify(s.error) }),
      ...(s.uncount === true ? { attempts: sql`greatest(attempts - 1, 0)` } : {}),
      ...(s.deferral === true ? { deferrals: sql`deferrals + 1` } : {}),
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where(fenced(fence))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Closes a run's record; `at` defaults to now (a lapsed run ended when its lease did). */
export async function endRun(
  tx: Q,
  orgId: string,
  jobId: string,
  token: string,
  r: { outcome: string; errorCode?: string | null; at?: Date | null },
): Promise<void> {
  await tx
    .updateTable('job_runs')
    .set({
      ended_at: r.at ?? sql`now()`,
      outcome: r.outcome,
      error_code: r.errorCode ?? null,
    })
    .where('org_id', '=', orgId)
    .where('job_id', '=', jobId)
    .where('lease_token', '=', token)
    .where('ended_at', 'is', null)
    .execute();
}

/**
 * One statement per process: extends every lease `runner` still holds (migration 014, jobs_heartbeat). Raw, as
 * the two below: a set-returning definer function, which the builder has no table type for.
 */
export async function heartbeat(db: Q, runner: string, ttlMs: number): Promise<Set<string>> {
  const { rows } = await sql<{ lease_token: string }>`
    SELECT lease_token FROM jobs_heartbeat(${runner}::uuid, ${Math.round(ttlMs)})`.execute(db);
  return new Set(rows.map((r) => r.lease_token));
}

export async function findLapsed(db: Q, limit: number) {
  const { rows } = await sql<{ org_id: string; id: string }>`
    SELECT org_id, id FROM jobs_lapsed(${limit})`.execute(db);
  return rows;
}

export async function findWaitingToCheck(db: Q, graceSeconds: number, recheckSeconds: number, limit: number) {
  const { rows } = await sql<{ org_id: string; id: string; kind: string; message_id: string | null }>`
    SELECT org_id, id, kind, message_id FROM jobs_to_check(${graceSeconds}, ${recheckSeconds}, ${limit})`.execute(
    db,
  );
  return rows;
}
