-- SprintConnect's own authorization server (oidc-provider under /oidc) and access-token enforcement (ADR 0009).

-- oidc-provider's storage: one row per artifact (Session, Interaction, AuthorizationCode, RefreshToken, Grant,
-- Client, ReplayDetection, ...). Infrastructure, not tenant data: rows are found by random ids before any tenant
-- is known, so there is no org_id column and no RLS (like the job queue's schema); an org-owned client keeps its
-- org in the payload (`org_id` client metadata). For tokens and codes the id IS the bearer secret, so only its
-- SHA-256 is stored and the payload is kept without `jti`; a client secret is sealed (AES-256-GCM).
CREATE TABLE oidc_models (
  model text NOT NULL,
  id_hash bytea NOT NULL,
  payload jsonb NOT NULL,
  sealed_secret bytea,
  grant_id text,
  uid text,
  expires_at timestamptz,
  consumed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, id_hash)
);
CREATE INDEX oidc_models_by_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_models_by_uid ON oidc_models (uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_models_expiry ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;

-- Token signing keys: made once, private half sealed under a key derived from the master key, rotatable. One
-- active key per algorithm signs; `retiring` keys still verify (published in the JWKS) until retired.
CREATE TABLE oauth_signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL CHECK (alg IN ('ES256', 'RS256')),
  state text NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
  public_jwk jsonb NOT NULL,
  private_jwk bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz,
  retired_at timestamptz
);
CREATE UNIQUE INDEX oauth_signing_keys_one_active ON oauth_signing_keys (alg) WHERE state = 'active';

-- DPoP proof ids seen by any process (RFC 9449 §11.1): a second use of a jti is a replay. `jti` holds
-- SHA-256(jkt || '.' || jti), so ids are scoped to the proof key; rows are purged after their iat window.
CREATE TABLE dpop_proofs_seen (
  jti text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX dpop_proofs_seen_expiry ON dpop_proofs_seen (expires_at);

-- Refresh-token exchanges, keyed by SHA-256 of the presented (old) refresh token: the first request claims the
-- row and asks the provider; a second request from the same client within the grace window gets the same sealed
-- response; a later one is a reuse and revokes the grant (ADR 0009).
CREATE TABLE oauth_refresh_exchanges (
  token_hash bytea PRIMARY KEY,
  client_id text NOT NULL,
  client_auth_hash bytea NOT NULL,
  dpop_jkt text,
  started_at timestamptz NOT NULL,
  completed_at timestamptz,
  response bytea,
  grant_id text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_refresh_exchanges_expiry ON oauth_refresh_exchanges (expires_at);

-- Identity providers an org trusts to issue access tokens for SprintConnect: issuer + audience + JWKS URL.
-- (issuer, audience) is unique across orgs, so a verified token maps to exactly one org.
CREATE TABLE oauth_trusted_issuers (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  issuer text NOT NULL,
  audience text NOT NULL,
  jwks_uri text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX oauth_trusted_issuers_pair ON oauth_trusted_issuers (issuer, audience);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['oauth_trusted_issuers'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;

-- Token verification happens before the tenant is known. As for API keys (migration 001), narrow SECURITY
-- DEFINER functions run as the owner, which alone gets read-only policies; the runtime role gains nothing.
CREATE POLICY auth_lookup ON oauth_trusted_issuers FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION auth_find_trusted_issuers(p_issuer text)
RETURNS TABLE (org_id uuid, id uuid, issuer text, audience text, jwks_uri text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT t.org_id, t.id, t.issuer, t.audience, t.jwks_uri FROM oauth_trusted_issuers t WHERE t.issuer = p_issuer
$$;

-- The authorization server knows a signed-in user by id only (the token `sub`); this finds the user's org and
-- status when a token is issued or refreshed, so a disabled user gets no new tokens.
CREATE POLICY oauth_account_lookup ON users FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION oauth_find_user(p_id uuid)
RETURNS TABLE (org_id uuid, id uuid, email text, name text, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT u.org_id, u.id, u.email, u.name, u.status FROM users u WHERE u.id = p_id
$$;
