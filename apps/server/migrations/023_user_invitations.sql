-- Invited local users and their invitation links (issue 10 point 5, ADR 0038).

-- A user created by an admin's invitation is `invited` until they accept it (and cannot sign in meanwhile);
-- `disabled` is a deactivated user (sign-in refused, sessions and tokens stop working).
ALTER TABLE users DROP CONSTRAINT users_status_check;
ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('invited', 'active', 'disabled'));

-- One row per invitation link. Only an HMAC-SHA-256 of the link's token is kept (pepper derived from the master
-- key, like API keys and sessions), so a copy of the table opens no account. A row is used once: accepting
-- sets accepted_at; a newer invitation for the same user, or deactivating the user, sets voided_at. Rows stay
-- after use so a second click on a link is told "already used" rather than "unknown".
CREATE TABLE user_invitations (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 300),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  voided_at timestamptz,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
  CHECK (expires_at > created_at),
  CHECK (accepted_at IS NULL OR voided_at IS NULL)
);
CREATE INDEX user_invitations_open ON user_invitations (org_id, user_id)
  WHERE accepted_at IS NULL AND voided_at IS NULL;

ALTER TABLE user_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_invitations USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());

-- An invitation link arrives before the tenant is known. Like auth_find_session (006): one definer door that
-- finds the invitation by its token hash and returns only what the acceptance needs.
CREATE POLICY auth_lookup ON user_invitations FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION auth_find_invitation(p_token_hash bytea)
RETURNS TABLE (org_id uuid, org_slug text, id uuid, user_id uuid, expires_at timestamptz,
               accepted_at timestamptz, voided_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT i.org_id, o.slug, i.id, i.user_id, i.expires_at, i.accepted_at, i.voided_at
  FROM user_invitations i JOIN orgs o ON o.id = i.org_id WHERE i.token_hash = p_token_hash
$$;
