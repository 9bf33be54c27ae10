-- A one-word search whose word is on most servers (ADR 0030, amended): `status` in a description of every one
-- of 10k servers made search read its 20k capabilities and look up all 10k servers to count and rank them.
-- Every server it finds only by a description has the same score, so a page of them is the servers in name
-- order that have the word: walked with the two indexes below, a page reads about a page of servers.
--
-- 1. The servers that have a word, in any capability's name or description: the `<org>:w:<word>` keys of
--    capabilities_search_keys (002) at the grain of a server, with the same words (capability_words). A btree,
--    so that "does server s have word w" is one index probe, and "the servers having w" an index range that
--    can be counted up to a cap without reading the capabilities. Plain equality on its columns keeps it
--    indexed under RLS (ADR 0011 concerns non-leakproof operators only), so it needs no owner view.
--    Kept by the search module in the transaction that replaces a server's capabilities (capabilities.repo.ts).
CREATE TABLE server_search_words (
  org_id uuid NOT NULL,
  server_id uuid NOT NULL,
  word text NOT NULL,
  -- Whether a capability's name holds the word (its `n:` key): the server then ranks by its names, and only
  -- the servers without (`named = false`) form the one-score tier that is walked.
  named boolean NOT NULL,
  -- (org, server) first: a server's words are replaced together, and a deleted server's cascade finds them.
  PRIMARY KEY (org_id, server_id, word),
  FOREIGN KEY (org_id, server_id) REFERENCES servers (org_id, id) ON DELETE CASCADE
);
CREATE INDEX server_search_words_by_word ON server_search_words (org_id, word, named, server_id);

-- Before RLS is enabled: the owner reads every org's capabilities through its search_read policy (002).
INSERT INTO server_search_words (org_id, server_id, word, named)
SELECT c.org_id, c.server_id, u.w, bool_or(u.w = ANY (c.name_words))
FROM capabilities c, unnest(capability_words(c.name_words, c.description)) AS u(w)
GROUP BY 1, 2, 3;

ALTER TABLE server_search_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE server_search_words FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON server_search_words USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());

-- 2. The org's servers in the order search breaks ties (name, then id): a page of equally scored servers is a
--    range of this index from the cursor on.
CREATE INDEX servers_by_name ON servers (org_id, name, id);
