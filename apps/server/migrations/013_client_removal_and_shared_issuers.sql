-- Issue 8, points 3 and 9 (ADR 0022).

-- Removed OAuth clients. oidc-provider forgets a client when its row in oidc_models is deleted, but the access
-- tokens it already holds are self-contained JWTs that stay valid until they expire; every process refuses a
-- token whose client_id is listed here (found on a cache miss, announced over NOTIFY on removal). Like
-- oidc_models, infrastructure found by a random id before any tenant is known: no org_id, no RLS. Rows older
-- than the longest an access token of ours is accepted (15 minutes) can go; they are purged after a day.
CREATE TABLE oauth_removed_clients (
  client_id text PRIMARY KEY,
  removed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_removed_clients_age ON oauth_removed_clients (removed_at);

-- Trusted issuers are no longer unique across orgs: registering an issuer and audience another org trusts
-- answered a 409 that told the caller so, and let the first org squat it. Unique within an org only; a token
-- is resolved to the org whose entry it satisfies, and refused when it satisfies entries of several orgs
-- (ADR 0022). Lookups by issuer keep their own index.
DROP INDEX oauth_trusted_issuers_pair;
CREATE UNIQUE INDEX oauth_trusted_issuers_org_pair ON oauth_trusted_issuers (org_id, issuer, audience);
CREATE INDEX oauth_trusted_issuers_by_issuer ON oauth_trusted_issuers (issuer);
