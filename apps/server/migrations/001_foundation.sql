-- Foundation: tenancy, API keys, envelope keys, audit + outbox, registry, discovery, search index, jobs.
-- Every tenant table leads with org_id (so a tenant-sharded cluster can take over) and has RLS forced on it;
-- the runtime role `sprintconnect_app` owns nothing and sees only the org set with SET LOCAL app.org_id.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- The tenant of the current transaction, or NULL when none is set (then every policy below matches nothing).
CREATE FUNCTION app_current_org() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.org_id', true), '')::uuid
$$;

CREATE TABLE orgs (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name text NOT NULL,
  time_zone text NOT NULL DEFAULT 'UTC',
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX orgs_one_default ON orgs (is_default) WHERE is_default;

CREATE TABLE org_data_keys (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  wrapped_key bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (org_id, id)
);

CREATE TABLE api_keys (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  prefix text NOT NULL UNIQUE,
  secret_hash bytea NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  scopes text[] NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (org_id, id)
);

CREATE TABLE audit_events (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text NOT NULL,
  request_id text,
  data jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (org_id, id)
);
CREATE INDEX audit_events_by_time ON audit_events (org_id, occurred_at DESC);

CREATE TABLE outbox_events (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX outbox_unpublished ON outbox_events (created_at) WHERE published_at IS NULL;

CREATE TABLE servers (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  url text NOT NULL,
  transport text NOT NULL CHECK (transport IN ('streamable-http', 'sse')),
  environment text NOT NULL CHECK (environment IN ('development', 'staging', 'production')),
  tags text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  auto_discover boolean NOT NULL DEFAULT true,
  auth_type text NOT NULL CHECK (auth_type IN ('none', 'bearer', 'header')),
  auth_header_name text,
  auth_secret bytea,
  status text NOT NULL CHECK (status IN ('pending_discovery', 'discovering', 'active', 'discovery_failed')),
  last_error jsonb,
  current_version_id uuid,
  last_discovered_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX servers_name_per_env ON servers (org_id, environment, lower(name));
CREATE INDEX servers_tags ON servers USING gin (org_id, tags);
CREATE INDEX servers_list ON servers (org_id, created_at DESC, id DESC);

CREATE TABLE capability_versions (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  server_id uuid NOT NULL,
  version integer NOT NULL,
  content_hash text NOT NULL,
  protocol_version text NOT NULL,
  snapshot jsonb NOT NULL,
  counts jsonb NOT NULL,
  discovered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, server_id, version),
  FOREIGN KEY (org_id, server_id) REFERENCES servers (org_id, id) ON DELETE CASCADE
);

-- The search index: one row per capability of each server's current version.
CREATE TABLE capabilities (
  org_id uuid NOT NULL,
  server_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('tool', 'resource', 'resource_template', 'prompt')),
  name text NOT NULL,
  version_id uuid NOT NULL,
  description text NOT NULL DEFAULT '',
  -- lower-cased words of the name (snake_case, kebab-case, camelCase and dots split), for whole-word matching
  name_words text[] NOT NULL,
  -- lower(name || ' ' || description), for fuzzy matching
  search_text text NOT NULL,
  definition jsonb NOT NULL,
  PRIMARY KEY (org_id, server_id, kind, name),
  FOREIGN KEY (org_id, server_id) REFERENCES servers (org_id, id) ON DELETE CASCADE
);
CREATE INDEX capabilities_name ON capabilities (org_id, lower(name));
CREATE INDEX capabilities_words ON capabilities USING gin (org_id, name_words);
CREATE INDEX capabilities_trgm ON capabilities USING gin (org_id, search_text gin_trgm_ops);

CREATE TABLE jobs (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  kind text NOT NULL,
  subject_type text NOT NULL,
  subject_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
  stage text,
  progress_done integer NOT NULL DEFAULT 0,
  progress_total integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  params jsonb NOT NULL DEFAULT '{}',
  result jsonb,
  error jsonb,
  requested_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  estimated_completion_at timestamptz,
  PRIMARY KEY (org_id, id)
);
-- One discovery at a time per server: at most one unfinished job per subject and kind.
CREATE UNIQUE INDEX jobs_one_active ON jobs (org_id, kind, subject_id) WHERE state IN ('queued', 'running', 'retrying');
CREATE INDEX jobs_by_subject ON jobs (org_id, subject_id, created_at DESC);

-- Row Level Security on every tenant table, forced so that even the owner is subject to it.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['org_data_keys', 'api_keys', 'audit_events', 'outbox_events', 'servers',
                           'capability_versions', 'capabilities', 'jobs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;
ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE orgs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON orgs USING (id = app_current_org()) WITH CHECK (id = app_current_org());
-- The owner (bootstrap at start) may find the default org; the runtime role may not list orgs.
CREATE POLICY owner_read ON orgs FOR SELECT TO CURRENT_USER USING (true);

-- Authentication happens before the tenant is known: this definer function is the one narrow door that
-- finds an API key by its public prefix across orgs. It returns only what verification needs. It runs as the
-- migrating (owner) role, which alone gets a read-only policy on api_keys; the runtime role gains nothing.
CREATE POLICY auth_lookup ON api_keys FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION auth_find_api_key(p_prefix text)
RETURNS TABLE (org_id uuid, id uuid, secret_hash bytea, scopes text[], expires_at timestamptz,
               revoked_at timestamptz, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT k.org_id, k.id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at, k.name
  FROM api_keys k WHERE k.prefix = p_prefix
$$;
