-- Job leases, heartbeats and reconciliation (issue 8, points 13, 20, 21; ADR 0024).
--
-- The `jobs` row is the truth about a job; a queue message only says "try now". A run may act on a job only
-- while it holds the row's lease: taken by a conditional UPDATE, extended by its process's heartbeat, and
-- checked again by every write the run makes. A lease that is not extended lapses within seconds, and the
-- reaper then retries or fails the job, so a crashed run neither shows `running` for minutes nor overlaps
-- with the next one.
ALTER TABLE jobs
  -- The queue message that carries the job's next (or current) attempt. A delivery of any other message is
  -- stale and does nothing; a message the queue has ended while the job waits means the job is lost.
  ADD COLUMN message_id uuid,
  -- The run holding the job, and the process it runs in (one heartbeat statement per process).
  ADD COLUMN lease_token uuid,
  ADD COLUMN lease_runner uuid,
  ADD COLUMN lease_expires_at timestamptz,
  ADD COLUMN heartbeat_at timestamptz,
  -- A waiting job's next attempt starts no sooner than this (backoff, an upstream's Retry-After).
  ADD COLUMN next_attempt_at timestamptz,
  -- Runs put off without counting as attempts (the org's own outbound rate limit, ADR 0014).
  ADD COLUMN deferrals integer NOT NULL DEFAULT 0,
  -- When the reconciler last asked the queue whether this waiting job's message is still there.
  ADD COLUMN checked_at timestamptz;

CREATE INDEX jobs_unfinished ON jobs (lease_expires_at) WHERE state IN ('queued', 'running', 'retrying');
CREATE INDEX jobs_leased_by ON jobs (lease_runner) WHERE lease_token IS NOT NULL;

-- One row per run (a claim of the lease): when it started and ended, and how. Deferred runs are runs too,
-- but do not count as attempts. What operators read to see a job's history, and what proves that two runs
-- of one subject never overlapped.
CREATE TABLE job_runs (
  org_id uuid NOT NULL,
  job_id uuid NOT NULL,
  lease_token uuid NOT NULL,
  runner uuid NOT NULL,
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  -- succeeded | failed | retry | deferred | parked | interrupted | cancelled | lost
  outcome text,
  error_code text,
  PRIMARY KEY (org_id, job_id, lease_token),
  FOREIGN KEY (org_id, job_id) REFERENCES jobs (org_id, id) ON DELETE CASCADE
);
ALTER TABLE job_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_runs USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());
CREATE POLICY tenant_guard_probe ON job_runs FOR SELECT TO CURRENT_USER USING (true);

-- The doors below run for all orgs before any tenant is set (one heartbeat per process, one sweep per
-- interval), as the owner. Like 004's api_keys_expiring they return only which rows (org, id): what is done
-- to a job is done per org, under RLS. The heartbeat alone writes, and only the lease columns of rows this
-- process holds. A non-superuser owner is bound by FORCE RLS, so it gets an UPDATE policy for that.
CREATE POLICY lease_maintenance ON jobs FOR UPDATE TO CURRENT_USER USING (true) WITH CHECK (true);

-- Extends every lease the process `p_runner` still holds, by `p_ttl_ms` from now. A lapsed lease is never
-- revived: the reaper may already have given the job to another run. Returns the leases extended, so the
-- process aborts any run whose lease is not among them. An estimate that has passed moves with the lease:
-- a running job never shows a completion time in the past (issue 8, point 20).
CREATE FUNCTION jobs_heartbeat(p_runner uuid, p_ttl_ms integer)
RETURNS TABLE (org_id uuid, id uuid, lease_token uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  UPDATE jobs j SET
    lease_expires_at = now() + make_interval(secs => p_ttl_ms / 1000.0),
    heartbeat_at = now(),
    estimated_completion_at = CASE
      WHEN j.estimated_completion_at IS NOT NULL AND j.estimated_completion_at < now() + make_interval(secs => p_ttl_ms / 1000.0)
      THEN now() + make_interval(secs => p_ttl_ms / 1000.0)
      ELSE j.estimated_completion_at END
  WHERE j.lease_runner = p_runner AND j.lease_token IS NOT NULL AND j.state = 'running'
    AND j.lease_expires_at > now()
  RETURNING j.org_id, j.id, j.lease_token
$$;

-- A running job without a lease was started by a version before leases. Its run was bounded by the queue's
-- 120 s expiry, so after that it is certainly over: a rolling upgrade never reaps a run still in progress.
CREATE FUNCTION jobs_legacy_run_over(p_state text, p_lease_token uuid, p_started_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT p_state = 'running' AND p_lease_token IS NULL AND p_started_at < now() - interval '120 seconds'
$$;

-- Running jobs whose lease has lapsed (their process stopped heart-beating), and running jobs from before
-- leases whose run is over. SKIP LOCKED: a job being settled right now is not lapsed, and two sweepers split
-- the work.
CREATE FUNCTION jobs_lapsed(p_limit integer)
RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  SELECT j.org_id, j.id FROM jobs j
  WHERE j.state = 'running'
    AND ((j.lease_token IS NOT NULL AND j.lease_expires_at <= now())
         OR jobs_legacy_run_over(j.state, j.lease_token, coalesce(j.started_at, j.created_at)))
  ORDER BY j.lease_expires_at NULLS FIRST
  LIMIT p_limit
  FOR UPDATE SKIP LOCKED
$$;

-- Waiting jobs (queued or retrying, no lease) that should have been picked up `p_grace_s` seconds ago and
-- were not checked in the last `p_recheck_s` seconds: the reconciler asks the queue whether their message
-- still exists. Each returned row is stamped, so a backlog is checked a slice at a time, not all at once.
CREATE FUNCTION jobs_to_check(p_grace_s integer, p_recheck_s integer, p_limit integer)
RETURNS TABLE (org_id uuid, id uuid, kind text, message_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  UPDATE jobs j SET checked_at = now()
  FROM (
    SELECT c.org_id, c.id FROM jobs c
    WHERE c.state IN ('queued', 'retrying')
      AND (c.lease_expires_at IS NULL OR c.lease_expires_at <= now())
      AND coalesce(c.next_attempt_at, c.created_at) < now() - make_interval(secs => p_grace_s)
      AND (c.checked_at IS NULL OR c.checked_at < now() - make_interval(secs => p_recheck_s))
    ORDER BY c.checked_at NULLS FIRST
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
  ) due
  WHERE j.org_id = due.org_id AND j.id = due.id
  RETURNING j.org_id, j.id, j.kind, j.message_id
$$;
