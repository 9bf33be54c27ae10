import type { Queries } from '../db/index.ts';
import type { JobsTables } from './jobs.schema.ts';

type Q = Queries<JobsTables>;

import { findOwned } from '../db/index.ts';

export async function insertJob(
  tx: Q,
  j: {
    orgId: string;
    id: string;
    kind: string;
    subjectType: string;
    subjectId: string;
    maxAttempts: number;
    params: Record<string, unknown>;
    requestedBy: string;
    /** The queue message that will carry its first attempt (sent in the same transaction). */
    messageId: string;
  },
): Promise<boolean> {
  // At most one unfinished job per subject and kind (partial unique index): a racing second insert waits for the
  // first to commit and then inserts nothing, so the caller returns the job that won.
  return tx
    .insertInto('jobs')
    .values({
      org_id: j.orgId,
      id: j.id,
      kind: j.kind,
      subject_type: j.subjectType,
      subject_id: j.subjectId,
      state: 'queued',
      max_attempts: j.maxAttempts,
      params: JSON.stringify(j.params),
      requested_by: j.requestedBy,
      message_id: j.messageId,
    })
    .onConflict((oc) =>
      oc
        .columns(['org_id', 'kind', 'subject_id'])
        .where('state', 'in', ['queued', 'running', 'retrying'])
        .doNothing(),
    )
    .returning('id')
    .executeTakeFirst()
    .then((r) => r !== undefined);
}

export async function findJob(tx: Q, orgId: string, id: string) {
  return findOwned(tx, { table: 'jobs', orgId, id }, () =>
    tx.selectFrom('jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  );
}

export async function findActiveJob(tx: Q, orgId: string, kind: string, subjectId: string) {
  return tx
    .selectFrom('jobs')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('state', 'in', ['queued', 'running', 'retrying'])
    .executeTakeFirst();
}

/** Mean duration of this kind's recent successful jobs, for the completion estimate. */
export async function recentMeanDurationMs(tx: Q, orgId: string, kind: string): Promise<number | undefined> {
  const rows = await tx
    .selectFrom('jobs')
    .select(['started_at', 'finished_at'])
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('state', '=', 'succeeded')
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
  const ds = rows
    .filter((r) => r.started_at !== null && r.finished_at !== null)
    .map((r) => r.finished_at!.getTime() - r.started_at!.getTime());
  return ds.length === 0 ? undefined : ds.reduce((a, b) => a + b, 0) / ds.length;
}
