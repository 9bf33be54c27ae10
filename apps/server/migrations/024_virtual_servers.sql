-- Virtual servers (issue 11 point 2, ADR 0041): MCP endpoints an org publishes at /mcp/{slug}, composed of
-- chosen registered servers' tools, with per-tool overrides and a naming rule for collisions.

CREATE TABLE virtual_servers (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- The path segment of /mcp/{slug}: lower-case, URL-safe; reserved words are refused by the service.
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  naming text NOT NULL CHECK (naming IN ('prefix', 'on-conflict', 'none')),
  enabled boolean NOT NULL DEFAULT true,
  -- The exposed name of each tool as last validated ("<server id>/<upstream name>" -> name): what keeps a
  -- tool's name when other tools come and go (ADR 0041, stability).
  pinned_names jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(pinned_names) = 'object'),
  created_by text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 300),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX virtual_servers_slug_per_org ON virtual_servers (org_id, slug);
CREATE INDEX virtual_servers_list ON virtual_servers (org_id, created_at, id);

-- What a virtual server is made of, in order (the order decides who keeps a name on a clash): all tools of a
-- server (tools IS NULL), a list of its tools, or every server carrying a tag. A deleted server leaves.
CREATE TABLE virtual_server_members (
  org_id uuid NOT NULL,
  virtual_server_id uuid NOT NULL,
  position integer NOT NULL CHECK (position >= 0),
  kind text NOT NULL CHECK (kind IN ('server', 'tag')),
  server_id uuid,
  tools text[],
  tag text,
  PRIMARY KEY (org_id, virtual_server_id, position),
  FOREIGN KEY (org_id, virtual_server_id) REFERENCES virtual_servers (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, server_id) REFERENCES servers (org_id, id) ON DELETE CASCADE,
  CHECK ((kind = 'server' AND server_id IS NOT NULL AND tag IS NULL)
      OR (kind = 'tag' AND server_id IS NULL AND tools IS NULL AND tag IS NOT NULL))
);
CREATE INDEX virtual_server_members_server ON virtual_server_members (org_id, server_id);

-- Per-tool overrides: what the endpoint shows instead of the upstream name, title or description.
CREATE TABLE virtual_server_overrides (
  org_id uuid NOT NULL,
  virtual_server_id uuid NOT NULL,
  server_id uuid NOT NULL,
  tool text NOT NULL CHECK (length(tool) BETWEEN 1 AND 128),
  name text CHECK (length(name) BETWEEN 1 AND 128),
  title text CHECK (length(title) <= 200),
  description text CHECK (length(description) <= 4000),
  PRIMARY KEY (org_id, virtual_server_id, server_id, tool),
  FOREIGN KEY (org_id, virtual_server_id) REFERENCES virtual_servers (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, server_id) REFERENCES servers (org_id, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['virtual_servers', 'virtual_server_members', 'virtual_server_overrides'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;
