-- Counters for `count` quotas (servers, api_keys), issue 8 point 16, ADR 0025. A take is one
-- `UPDATE quota_usage SET used = used + 1 WHERE used < limit RETURNING`, in the transaction that creates the thing;
-- a delete or revoke takes one off in its own transaction; so no create counts the org's rows and no lock is
-- waited on for longer than one create's transaction.
--
-- `used` is never below the real count (a key that expires stays counted until the next recount), and the
-- real rows are recounted under this row's lock when the row is missing (orgs from before this migration),
-- older than an hour, or says the org is at its limit: drift from any cause lasts at most an hour and never
-- refuses a create the real rows would allow.
CREATE TABLE quota_usage (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  quota text NOT NULL,
  used bigint NOT NULL CHECK (used >= 0),
  -- When `used` was last set from the real rows; NULL: never (a fresh row, recounted by the first take).
  reconciled_at timestamptz,
  PRIMARY KEY (org_id, quota)
);

ALTER TABLE quota_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE quota_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quota_usage USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());
