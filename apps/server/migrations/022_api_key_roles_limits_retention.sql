-- API keys: their own rate limit, roles like users and clients, and a retention for their usage records
-- (issue 10 point 4, ADR 0037).

-- A key's own requests per minute; NULL means the deployment's SPRINTCONNECT_API_KEY_RATE_LIMIT. Same bounds as
-- that setting.
ALTER TABLE api_keys ADD COLUMN rate_limit integer CHECK (rate_limit BETWEEN 1 AND 1000000);

-- Verification reads the limit (it rides on the cached principal, so admission costs no extra trip). The door's
-- result changes, so it is made again; it still returns only what verification needs (001).
DROP FUNCTION auth_find_api_key(text);
CREATE FUNCTION auth_find_api_key(p_prefix text)
RETURNS TABLE (org_id uuid, id uuid, secret_hash bytea, scopes text[], expires_at timestamptz,
               revoked_at timestamptz, name text, rate_limit integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT k.org_id, k.id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at, k.name, k.rate_limit
  FROM api_keys k WHERE k.prefix = p_prefix
$$;

-- Keys hold roles the way users and clients do: one table says who holds which role, so a role a key holds
-- is `role_in_use` and cannot be deleted from under it. A revoked key's assignments are removed with it.
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_principal_type_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_principal_type_check
  CHECK (principal_type IN ('user', 'client', 'api_key'));

-- Retention of usage records (SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS). Old rows of every org are deleted
-- through this definer door, like `purge_expired_idempotency_keys` (016): it runs as the owner, which alone may
-- see and delete across orgs, deletes only rows used before `p_before`, at most `p_limit` per call (so a large
-- backlog is deleted in short transactions), and returns how many it deleted. The scheduled job that calls it
-- comes with the notifications issue; until then it runs on demand.
CREATE INDEX api_key_usage_by_time ON api_key_usage (used_at);
CREATE POLICY purge_old_read ON api_key_usage FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY purge_old_delete ON api_key_usage FOR DELETE TO CURRENT_USER USING (true);
CREATE FUNCTION purge_api_key_usage(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  WITH doomed AS (
    SELECT org_id, id FROM api_key_usage
    WHERE used_at < p_before
    ORDER BY used_at
    LIMIT greatest(1, least(p_limit, 10000))
  ), gone AS (
    DELETE FROM api_key_usage u USING doomed d
    WHERE u.org_id = d.org_id AND u.id = d.id
    RETURNING 1
  )
  SELECT count(*)::integer FROM gone
$$;
