-- DPoP proof ids (005), recorded in batches and without waiting for the WAL flush (ADR 0017). Replay is still
-- decided by the primary key, in every process, at once: only durability is relaxed. A crash can forget the
-- proofs of its last moments (at most ~3 x wal_writer_delay); each of those is refused again anyway once its iat
-- window (70 s) has passed. `set_config(..., true)` lasts until the end of the caller's transaction: call this
-- on its own, in autocommit, so that nothing else commits asynchronously with it. Returns the keys that were new.
CREATE FUNCTION record_dpop_proofs(p_keys text[], p_expires_at timestamptz[])
RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
    INSERT INTO dpop_proofs_seen (jti, expires_at)
    SELECT k, e FROM unnest(p_keys, p_expires_at) AS u(k, e)
    ON CONFLICT (jti) DO NOTHING
    RETURNING jti;
END $$;

-- Tenant isolation guards (story 8.5, ADR 0018). A fetch by id that finds nothing in the caller's org answers 404
-- whether the id is unknown or belongs to another org; only the log tells the two apart, to spot id guessing.
-- This definer door answers that one question for the log: does `p_id` name a row of `p_table` in an org other
-- than the current tenant? It returns a boolean only, never the other org, and never fails (NULL when it
-- cannot tell). The key column and its type are read from the catalogue, so the lookup uses the primary key.
CREATE FUNCTION tenant_guard_elsewhere(p_table text, p_column text, p_id text)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  t regclass := to_regclass(p_table);
  key_type text;
  found_org uuid;
BEGIN
  -- Tenant tables of this schema only: anything else is not a question this door answers.
  IF t IS NULL OR NOT EXISTS (
    SELECT 1 FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
    WHERE c.oid = t AND c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  ) THEN
    RETURN NULL;
  END IF;
  SELECT format_type(a.atttypid, a.atttypmod) INTO key_type
  FROM pg_attribute a WHERE a.attrelid = t AND a.attname = p_column AND NOT a.attisdropped;
  IF key_type IS NULL THEN RETURN NULL; END IF;
  EXECUTE format('SELECT org_id FROM %s WHERE %I = $1::%s LIMIT 1', t, p_column, key_type)
    INTO found_org USING p_id;
  RETURN found_org IS NOT NULL AND found_org IS DISTINCT FROM app_current_org();
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- The door runs as the owner, which RLS binds too (FORCE): like `auth_lookup` (001), the owner may read every
-- tenant table. A superuser owner (the embedded server) needs none of this; a managed database's owner does.
DO $$
DECLARE t text;
BEGIN
  FOR t IN
    SELECT c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                      AND p.policyname IN ('auth_lookup', 'owner_read'))
  LOOP
    EXECUTE format('CREATE POLICY tenant_guard_probe ON %I FOR SELECT TO CURRENT_USER USING (true)', t);
  END LOOP;
END $$;
