import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../db/index.ts';

/** Migrations 001 and 014 (leases): the status a user watches of each long piece of work. */
export interface JobsTable {
  org_id: string;
  id: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  state: 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';
  stage: string | null;
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  attempts: Generated<number>;
  max_attempts: number;
  params: Json;
  result: Json | null;
  error: Json | null;
  requested_by: string;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  estimated_completion_at: Timestamp | null;
  message_id: string | null;
  lease_token: string | null;
  lease_runner: string | null;
  lease_expires_at: Timestamp | null;
  heartbeat_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  deferrals: Generated<number>;
  checked_at: Timestamp | null;
}

/** Migration 014: one row per run (a claim of the lease). */
export interface JobRunsTable {
  org_id: string;
  job_id: string;
  lease_token: string;
  runner: string;
  attempt: number;
  started_at: Generated<Date>;
  ended_at: Timestamp | null;
  outcome: string | null;
  error_code: string | null;
}

/** The tables the job runner (platform/jobs) owns: no module names them (ADR 0035). */
export interface JobsTables {
  jobs: JobsTable;
  job_runs: JobRunsTable;
}
