-- Usage records: one row per call through the MCP gateway (issue 11 point 8, ADR 0042). Written in batches off
-- the request path by the usage module's recorder; read by GET /v1/usage and, later, the analytics issue.

-- Facts about calls, not references: `server_id` and `principal_id` are kept as text without foreign keys, so
-- a record outlives the server, key or client it names (usage of a deleted server still counts). Each field is
-- bounded so one hostile or buggy caller cannot make a row arbitrarily large. `id` is a UUIDv7 of `at`.
CREATE TABLE usage_records (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  at timestamptz NOT NULL,
  principal_kind text NOT NULL CHECK (principal_kind IN ('api_key', 'user', 'client')),
  principal_id text NOT NULL CHECK (length(principal_id) BETWEEN 1 AND 300),
  endpoint text NOT NULL CHECK (length(endpoint) BETWEEN 1 AND 200),
  server_id text NOT NULL CHECK (length(server_id) BETWEEN 1 AND 200),
  tool text NOT NULL CHECK (length(tool) BETWEEN 1 AND 300),
  invocation_class text CHECK (length(invocation_class) BETWEEN 1 AND 100),
  latency_ms integer NOT NULL CHECK (latency_ms >= 0),
  outcome text NOT NULL CHECK (outcome IN ('ok', 'error', 'denied', 'upstream_error', 'timeout')),
  bytes_in bigint NOT NULL CHECK (bytes_in >= 0),
  bytes_out bigint NOT NULL CHECK (bytes_out >= 0),
  decision_id text CHECK (length(decision_id) BETWEEN 1 AND 200),
  -- The list's order (newest first, ties by id) is the key, so paging and time ranges read one index range.
  PRIMARY KEY (org_id, at, id)
);
-- The sums by server (and tool within a server) and by principal, over a time range.
CREATE INDEX usage_records_by_server ON usage_records (org_id, server_id, tool, at);
CREATE INDEX usage_records_by_principal ON usage_records (org_id, principal_kind, principal_id, at);
-- Retention deletes by time across orgs. Rows arrive in time order, so a BRIN index is a few pages where a
-- B-tree would cost every insert another index write.
CREATE INDEX usage_records_by_time ON usage_records USING brin (at);

ALTER TABLE usage_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_records USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());

-- Retention (SPRINTCONNECT_USAGE_RETENTION_DAYS, ADR 0042). Like purge_api_key_usage (022): a definer door that
-- deletes the records of every org older than `p_before`, at most `p_limit` (≤ 10,000) per call so a backlog goes
-- in short transactions, and returns how many. The runtime role itself may only read and insert (append-only,
-- platform/db's APPEND_ONLY_TABLES). The schedule that calls it comes with a later issue.
CREATE POLICY purge_old_read ON usage_records FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY purge_old_delete ON usage_records FOR DELETE TO CURRENT_USER USING (true);
CREATE FUNCTION purge_usage_records(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  WITH doomed AS (
    SELECT org_id, at, id FROM usage_records
    WHERE at < p_before
    LIMIT greatest(1, least(p_limit, 10000))
  ), gone AS (
    DELETE FROM usage_records u USING doomed d
    WHERE u.org_id = d.org_id AND u.at = d.at AND u.id = d.id
    RETURNING 1
  )
  SELECT count(*)::integer FROM gone
$$;
