-- Quotas, limits and budgets (story 8.8, quota part of 6.3; ADR 0016).

-- An admin's override of a catalogued quota's default (modules/quotas/catalogue.ts). No row: the default.
CREATE TABLE quota_overrides (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  quota text NOT NULL,
  limit_value bigint NOT NULL CHECK (limit_value >= 0),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (org_id, quota)
);

-- What a per-period quota (e.g. discoveries_per_day) has used in one period (`2026-11-25` in the org's time
-- zone). Read and moved only under the quota's advisory lock, in the transaction that consumes it.
CREATE TABLE quota_periods (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  quota text NOT NULL,
  period text NOT NULL,
  used bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, quota, period)
);

-- An org's monthly usage budget for one unit (`api_calls` now). No row: the built-in default.
CREATE TABLE usage_budgets (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  unit text NOT NULL,
  monthly_limit bigint NOT NULL CHECK (monthly_limit >= 0),
  mode text NOT NULL CHECK (mode IN ('block', 'throttle')),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (org_id, unit)
);

-- Usage per org, unit and UTC month (`2026-11`), added to in batches by every process. The alert columns are
-- set once, by whichever flush first sees the threshold crossed (the row lock of its upsert serializes the
-- processes), in the transaction that records the event: one event per month and threshold.
CREATE TABLE usage_months (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  unit text NOT NULL,
  month text NOT NULL,
  used bigint NOT NULL DEFAULT 0,
  alerted_80_at timestamptz,
  alerted_100_at timestamptz,
  PRIMARY KEY (org_id, unit, month)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['quota_overrides', 'quota_periods', 'usage_budgets', 'usage_months'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;
