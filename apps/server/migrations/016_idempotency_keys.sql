-- Idempotency-Key on POST /v1 routes (issue 8 point 19, ADR 0026; draft-ietf-httpapi-idempotency-key-header).
-- One row per org, principal (`api_key:<id>`, `user:<id>`, `client:<id>`) and key, kept 24 hours: claimed
-- (`in_flight`) before the route runs, then `done` with the answer to replay, or deleted when the answer is not
-- one to keep (5xx, 429, Retry-After).
CREATE TABLE idempotency_keys (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  principal text NOT NULL CHECK (length(principal) BETWEEN 1 AND 200),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- HMAC-SHA-256 of method, path and canonical body: "the same request" (draft §2.4).
  fingerprint bytea NOT NULL,
  -- For the 422 that names what the key was first used for.
  method text NOT NULL,
  path text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_flight', 'done')),
  -- Which claim may complete the row: a claim whose process died is taken over after `locked_until`.
  claim_id uuid NOT NULL,
  locked_until timestamptz,
  status smallint CHECK (status BETWEEN 100 AND 499),
  -- The answer's headers and body, sealed with the org's data key (an API-key creation's answer holds the key).
  response bytea,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, principal, key),
  CHECK ((state = 'done') = (status IS NOT NULL AND response IS NOT NULL))
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());

-- Expired keys of every org are deleted by the scheduled job `idempotency-key-purge` (hourly) through this
-- definer door: it runs as the owner, which alone may see and delete across orgs (like `auth_lookup`, 001), and
-- deletes only rows expired by the database's clock, at most `p_limit` per call. Returns how many it deleted.
CREATE POLICY purge_expired_read ON idempotency_keys FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY purge_expired_delete ON idempotency_keys FOR DELETE TO CURRENT_USER USING (true);
CREATE FUNCTION purge_expired_idempotency_keys(p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  WITH doomed AS (
    SELECT org_id, principal, key FROM idempotency_keys
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT greatest(1, least(p_limit, 10000))
  ), gone AS (
    DELETE FROM idempotency_keys k USING doomed d
    WHERE k.org_id = d.org_id AND k.principal = d.principal AND k.key = d.key AND k.expires_at <= now()
    RETURNING 1
  )
  SELECT count(*)::integer FROM gone
$$;
