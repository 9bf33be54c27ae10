-- Per-org egress rules (story 8.3, ADR 0014): what an org's outbound calls may reach, narrowing the platform
-- policy of platform/egress. One row per org (absent means no org rules). Entries are stored canonical
-- (lower case, IDNA ASCII, network address of a block) as validated by platform/egress/org-rules.ts.
-- `version` grows by one with every change: processes key their connection pools by it.
CREATE TABLE org_egress_policies (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  allow_entries text[] NOT NULL DEFAULT '{}',
  deny_entries text[] NOT NULL DEFAULT '{}',
  denied_ports integer[] NOT NULL DEFAULT '{}',
  -- Outbound requests per minute, shared by every process; NULL means the platform default.
  rate_limit_per_minute integer CHECK (rate_limit_per_minute IS NULL OR rate_limit_per_minute > 0),
  version bigint NOT NULL DEFAULT 1,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id),
  CHECK (cardinality(allow_entries) <= 200 AND cardinality(deny_entries) <= 200),
  CHECK (cardinality(denied_ports) <= 100)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['org_egress_policies'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;
