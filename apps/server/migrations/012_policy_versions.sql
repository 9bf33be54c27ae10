-- Versions of an org's policy set (issue 4, point 2): every change to the org's policies (create, update,
-- delete, restore) writes the org policies as they are after the change, under the next number. Restoring a
-- version writes its policies back as a new version, so the history only grows. The system and role policies
-- are generated from code and roles, so they are not part of a version.
CREATE TABLE policy_versions (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  -- sha-256 (hex) of the org policies of this version, canonical order: equal sets have equal hashes.
  hash text NOT NULL,
  -- [{id, name, description, body, enabled}] by name.
  policies jsonb NOT NULL,
  -- What made this version: policy.created, policy.updated, policy.deleted or policy.restored.
  change text NOT NULL,
  restored_from integer,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, version)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['policy_versions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;
