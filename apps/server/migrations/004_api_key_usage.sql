-- API keys at runtime: usage records, the shared rate-limit counters, and expiry notices (ADR 0008).

-- Every authenticated use of an API key, written in batches off the request path (identity/api-keys.usage.ts).
-- `route` is the route pattern (`/v1/servers/:id`), never the concrete URL, so it stays low-cardinality and
-- carries no ids or query strings.
CREATE TABLE api_key_usage (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  key_id uuid NOT NULL,
  used_at timestamptz NOT NULL,
  method text NOT NULL,
  route text NOT NULL,
  status smallint NOT NULL,
  request_id text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, key_id) REFERENCES api_keys (org_id, id) ON DELETE CASCADE
);
CREATE INDEX api_key_usage_by_key ON api_key_usage (org_id, key_id, used_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_key_usage'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;

-- Counters of rate-limiter-flexible's RateLimiterPostgres, shared by every process (`tableCreated: true`: the
-- library's own CREATE TABLE would need DDL rights the runtime role does not have). The layout is the library's:
-- it inserts positionally. Keys are `api_key:<key id>`; no tenant data, so no org_id and no RLS. The runtime role
-- gets DML with every other public table (ensureAppRole).
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- Expiry notices go out once per key: the scan sets this in the transaction that records the event.
ALTER TABLE api_keys ADD COLUMN expiry_notified_at timestamptz;
CREATE INDEX api_keys_expiring ON api_keys (expires_at)
  WHERE expires_at IS NOT NULL AND revoked_at IS NULL AND expiry_notified_at IS NULL;

-- The daily scan runs for all orgs before any tenant is set. Like auth_find_api_key (001), a narrow definer
-- door that returns only which keys (org, id) are due; the notice itself is written per org under RLS.
CREATE FUNCTION api_keys_expiring(p_now timestamptz, p_until timestamptz)
RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT k.org_id, k.id FROM api_keys k
  WHERE k.expires_at IS NOT NULL AND k.revoked_at IS NULL AND k.expiry_notified_at IS NULL
    AND k.expires_at > p_now AND k.expires_at <= p_until
  ORDER BY k.org_id, k.expires_at
$$;
