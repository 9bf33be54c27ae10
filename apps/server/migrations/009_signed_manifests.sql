-- Signed capability manifests (story 8.4, ADR 0015): each org's trust store of public keys, its setting that
-- makes signed manifests mandatory, the manifest versions of each server, and their drift from what discovery
-- finds live.

-- Public keys only: the CHECK refuses any private or symmetric JWK member even if the code ever let one through.
CREATE TABLE trust_keys (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  kid text NOT NULL CHECK (length(kid) BETWEEN 1 AND 200),
  issuer text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 200),
  alg text NOT NULL CHECK (alg IN ('EdDSA', 'ES256')),
  public_jwk jsonb NOT NULL CHECK (NOT (public_jwk ?| ARRAY['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'])),
  thumbprint text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  CONSTRAINT trust_keys_kid_per_org UNIQUE (org_id, kid)
);

CREATE TABLE trust_settings (
  org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  require_signed_manifests boolean NOT NULL DEFAULT false,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every verified manifest a server had, append-only but for `state`: exactly one is `current` at a time;
-- `rolled_back` marks a version someone rolled back from, which a later rollback never returns to.
-- `jws` is the compact JWS as submitted (rollback re-verifies it against the trust store of that moment);
-- `policy_hash` is SHA-256 of the JCS (RFC 8785) canonical payload.
CREATE TABLE server_manifests (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  server_id uuid NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  state text NOT NULL CHECK (state IN ('current', 'superseded', 'rolled_back')),
  source text NOT NULL CHECK (source IN ('registration', 'submission')),
  issuer text NOT NULL,
  kid text NOT NULL,
  alg text NOT NULL,
  signature text NOT NULL,
  jws text NOT NULL,
  payload jsonb NOT NULL,
  policy_hash text NOT NULL CHECK (policy_hash ~ '^[0-9a-f]{64}$'),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  CONSTRAINT server_manifests_version UNIQUE (org_id, server_id, version),
  FOREIGN KEY (org_id, server_id) REFERENCES servers (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX server_manifests_one_current ON server_manifests (org_id, server_id) WHERE state = 'current';

-- Per server: what the last discovery saw (kept only when it changed, by content hash) and how it compares with
-- the current manifest. `drift` is NULL when they match (or nothing was compared yet).
CREATE TABLE server_manifest_state (
  org_id uuid NOT NULL,
  server_id uuid NOT NULL,
  observed jsonb,
  observed_hash text,
  observed_version integer,
  drift jsonb,
  drifted_since timestamptz,
  checked_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, server_id),
  FOREIGN KEY (org_id, server_id) REFERENCES servers (org_id, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['trust_keys', 'trust_settings', 'server_manifests', 'server_manifest_state'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) '
                   'WITH CHECK (org_id = app_current_org())', t);
  END LOOP;
END $$;
