-- Sign-in (story 1.1, ADR 0010): an org's OpenID provider, local passwords, and server-side sessions.

-- How a user signs in. An SSO user is found by the provider's (issuer, subject), never by email alone; a local
-- user has an Argon2id hash. failed_logins / next_login_at slow password guessing per account
-- (identity/accounts/login-throttle.ts).
ALTER TABLE users
  ADD COLUMN idp_issuer text,
  ADD COLUMN idp_subject text,
  ADD COLUMN password_hash text CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
  ADD COLUMN failed_logins integer NOT NULL DEFAULT 0,
  ADD COLUMN next_login_at timestamptz,
  ADD CONSTRAINT users_idp_identity_complete CHECK ((idp_issuer IS NULL) = (idp_subject IS NULL));
CREATE UNIQUE INDEX users_idp_identity ON users (org_id, idp_issuer, idp_subject) WHERE idp_subject IS NOT NULL;

-- One OpenID provider per org. The client secret is sealed with the org's data key (tenancy Secrets) and never
-- leaves the server; the endpoints found by discovery are kept for display only (logins re-discover).
CREATE TABLE sso_configs (
  org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  issuer text NOT NULL,
  client_id text NOT NULL,
  client_secret bytea NOT NULL,
  allowed_email_domains text[] NOT NULL DEFAULT '{}',
  authorization_endpoint text NOT NULL,
  token_endpoint text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);

-- A browser session. Only an HMAC of the cookie's token is stored. auth_time is when the person last proved who
-- they are (sign-in or step-up); expires_at is the absolute limit, last_seen_at drives the idle limit.
CREATE TABLE sessions (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  method text NOT NULL CHECK (method IN ('sso', 'password')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  auth_time timestamptz NOT NULL,
  revoked_at timestamptz,
  ip text,
  user_agent text CHECK (length(user_agent) <= 512),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_user ON sessions (org_id, user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sso_configs', 'sessions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;

-- A cookie arrives before the tenant is known. Like auth_find_api_key (001): one definer door that finds a
-- session by its token hash and returns only what the check needs; the owner alone has the read policy.
CREATE POLICY auth_lookup ON sessions FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION auth_find_session(p_token_hash bytea)
RETURNS TABLE (org_id uuid, org_slug text, id uuid, user_id uuid, method text, expires_at timestamptz,
               last_seen_at timestamptz, auth_time timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.org_id, o.slug, s.id, s.user_id, s.method, s.expires_at, s.last_seen_at, s.auth_time, s.revoked_at
  FROM sessions s JOIN orgs o ON o.id = s.org_id WHERE s.token_hash = p_token_hash
$$;

-- Sign-in pages name the org by slug before any tenant is set: returns the org's id and whether it has SSO,
-- nothing else. (orgs already has the owner's read policy from 001; sso_configs gets one here.)
CREATE POLICY auth_lookup ON sso_configs FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION auth_find_org_for_login(p_slug text)
RETURNS TABLE (id uuid, slug text, sso_configured boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT o.id, o.slug, EXISTS (SELECT 1 FROM sso_configs c WHERE c.org_id = o.id)
  FROM orgs o WHERE o.slug = p_slug
$$;
