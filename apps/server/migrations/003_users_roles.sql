-- Users, roles and role assignments (story 1.3). Kept minimal: sign-in (SSO subject, password hash, sessions)
-- adds its own columns and tables in later migrations.
-- The permission names in roles.permissions are the catalogue in modules/access/permissions.ts; the five
-- built-in roles are written per org by the application on first use (modules/access/built-in-roles.ts), so
-- the lists live in one place.

CREATE TABLE users (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320 AND email LIKE '%_@_%'),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  PRIMARY KEY (org_id, id),
  CONSTRAINT users_email_per_org UNIQUE (org_id, email)
);

CREATE TABLE roles (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- an identifier (it appears in tokens and the CLI); `description` is for people
  name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  built_in boolean NOT NULL DEFAULT false,
  -- single-parent inheritance; the application refuses cycles and chains deeper than 8 (access/role-graph.ts)
  extends_role_id uuid CHECK (extends_role_id IS DISTINCT FROM id),
  permissions text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  CONSTRAINT roles_name_per_org UNIQUE (org_id, name),
  -- a role another role extends cannot be deleted (the API answers 409 role_in_use first)
  FOREIGN KEY (org_id, extends_role_id) REFERENCES roles (org_id, id)
);
CREATE INDEX roles_by_parent ON roles (org_id, extends_role_id) WHERE extends_role_id IS NOT NULL;

-- Who holds which role: users, and OAuth clients (whose ids are the authorization server's client_id strings).
CREATE TABLE role_assignments (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  principal_type text NOT NULL CHECK (principal_type IN ('user', 'client')),
  principal_id text NOT NULL CHECK (length(principal_id) BETWEEN 1 AND 255),
  role_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (org_id, principal_type, principal_id, role_id),
  FOREIGN KEY (org_id, role_id) REFERENCES roles (org_id, id)
);
CREATE INDEX role_assignments_by_role ON role_assignments (org_id, role_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'roles', 'role_assignments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;
