-- The search index keeps the number of the capability version each row was indexed from (ADR 0036): a search
-- result shows it per match, and search read it from capability_versions, a table of the discovery module,
-- which is above search (it fills the index). Discovery now hands the number over with the rows it indexes,
-- as it hands over the version's id.
ALTER TABLE capabilities ADD COLUMN version integer;

-- The owner fills every org's rows: row security is forced on capabilities (001), and the tenant policy sees
-- no org in a migration, so it is lifted for this one statement and forced again in the same transaction.
ALTER TABLE capabilities NO FORCE ROW LEVEL SECURITY;
UPDATE capabilities c SET version = v.version
FROM capability_versions v
WHERE v.org_id = c.org_id AND v.id = c.version_id;
ALTER TABLE capabilities FORCE ROW LEVEL SECURITY;

ALTER TABLE capabilities ALTER COLUMN version SET NOT NULL;
