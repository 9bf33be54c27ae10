-- Capability search: indexes the runtime role can actually use.
--
-- 1. Row Level Security hides indexes from non-leakproof operators. On a table with RLS the planner makes a
--    condition an index condition only if it is leakproof (restriction_is_securely_promotable); any other
--    condition must wait until the policy has passed each row. What search needs (lower(), @>, &&, %, LIKE)
--    is not leakproof, and only a superuser may mark a function LEAKPROOF, so as `sprintconnect_app` every
--    search over `capabilities` was a sequential scan (250k rows: 110-470 ms).
--    Search therefore finds its candidates through the views below. A view reads its tables with its owner's
--    rights (the migrating role), which gets a read-only policy here, as for api_keys in 001; the views apply
--    the tenant condition of the policy themselves, so a session still sees only the org it set with
--    SET LOCAL app.org_id, and nothing when none is set. Everything a search returns is then read through
--    the RLS-protected tables (servers, and capabilities by key), which stay the safety net.
-- 2. A multi-column GIN index on (org_id, words) answers `org = X and word = w` by intersecting the org's
--    posting list, which grows with the org (6 ms for one word at 250k capabilities). Keys that carry the
--    org (`<org>:n:<word>`) make that one short posting list (0.1 ms).
-- 3. Fuzzy search expands each query word to the org's vocabulary words within a small edit distance or
--    containing it (the trigram index finds candidates, as the pg_trgm documentation suggests for spelling
--    suggestions; levenshtein accepts them), then looks those words up by key. Trigram similarity straight
--    over the capabilities' text had to recheck every candidate row (20 ms for 1k rows), and it is a loose
--    test of a typo: `pagerduy` is about as similar to `page` (0.4) as `githb` is to `github` (0.44).

CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- All words of a capability: its name's words (split by the application, see search/words.ts) and the words
-- of its description (lower-cased runs of letters and digits, from its first 2000 characters to bound the
-- index). Words over 100 characters are left out: nobody types them, and a GIN key must fit in a third of a
-- page.
CREATE FUNCTION capability_words(name_words text[], description text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(
  SELECT DISTINCT w
  FROM unnest(name_words || regexp_split_to_array(lower(left(description, 2000)), '[^[:alnum:]]+')) AS u(w)
  WHERE w <> '' AND length(w) <= 100
);

-- Index keys: `<org>:n:<word>` for each word of the name (exact search), `<org>:w:<word>` for every word of
-- the name or description (fuzzy search).
CREATE FUNCTION capability_search_keys(org uuid, name_words text[], description text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT org::text || ':n:' || w FROM unnest(name_words) AS u(w) WHERE length(w) <= 100)
    || ARRAY(SELECT org::text || ':w:' || w FROM unnest(capability_words(name_words, description)) AS u(w));

CREATE INDEX capabilities_search_keys ON capabilities
  USING gin (capability_search_keys(org_id, name_words, description));
-- Superseded by capabilities_search_keys and capability_vocabulary (see 2 and 3); dropping them also saves
-- their upkeep on every discovery.
DROP INDEX capabilities_words;
DROP INDEX capabilities_trgm;

-- Every word that has appeared in an org's capabilities. Append-only: a word whose last capability is gone
-- stays, and only makes fuzzy search try a word that finds nothing.
CREATE TABLE capability_vocabulary (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  word text NOT NULL,
  PRIMARY KEY (org_id, word)
);
CREATE INDEX capability_vocabulary_trgm ON capability_vocabulary USING gin (org_id, word gin_trgm_ops);
ALTER TABLE capability_vocabulary ENABLE ROW LEVEL SECURITY;
ALTER TABLE capability_vocabulary FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON capability_vocabulary USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());

-- The owner's read access through which the views below reach the indexes (see 1). Read-only, owner only.
CREATE POLICY search_read ON capabilities FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY search_read ON capability_vocabulary FOR SELECT TO CURRENT_USER USING (true);

-- Not security_barrier: that would fence the view's own condition off from the query's and bring back (1).
CREATE VIEW capability_search AS
  SELECT org_id, server_id, kind, name, name_words, description
  FROM capabilities
  WHERE org_id = app_current_org();

CREATE VIEW capability_vocabulary_search AS
  SELECT org_id, word
  FROM capability_vocabulary
  WHERE org_id = app_current_org();
