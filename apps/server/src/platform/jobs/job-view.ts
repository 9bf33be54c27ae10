import type { Selectable } from 'kysely';
import type { JobsTable } from './jobs.schema.ts';

type Row = Selectable<JobsTable>;

export interface JobErrorView {
  code: string;
  message: string;
  guidance: string;
  retryable: boolean;
}

/** The public shape of a job (contracts JobSchema). */
export function toJobView(r: Row, basePath = '/v1/jobs') {
  const percent = r.progress_total > 0 ? Math.round((r.progress_done / r.progress_total) * 1000) / 10 : 0;
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    subject: { type: r.subject_type, id: r.subject_id },
    stage: r.stage,
    progress: {
      done: r.progress_done,
      total: r.progress_total,
      percent: r.state === 'succeeded' ? 100 : percent,
    },
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    error: (r.error as JobErrorView | null) ?? null,
    result: (r.result as Record<string, unknown> | null) ?? null,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    estimatedCompletionAt: r.estimated_completion_at?.toISOString() ?? null,
    nextAttemptAt:
      r.state === 'retrying' || r.state === 'queued' ? (r.next_attempt_at?.toISOString() ?? null) : null,
    links: { self: `${basePath}/${r.id}` },
  };
}
export type JobView = ReturnType<typeof toJobView>;
export type JobRow = Row;
