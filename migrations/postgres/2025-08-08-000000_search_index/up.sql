-- Lists filtered on kind and region (the most common filter) read one partial index of
-- the active organizations, in the order they are shown, and count from it too. It
-- replaces the older (kind, region, name_ru) index, which had to visit every row to
-- leave the archived ones out.
DROP INDEX organizations_kind_region;
CREATE INDEX organizations_active_kind_region_name
    ON organizations (kind, region, name_ru, id) WHERE archived_at IS NULL;
CREATE INDEX organizations_active_kind_region_headcount
    ON organizations (kind, region, headcount, id) WHERE archived_at IS NULL;

-- Name search (`q` is `search_text LIKE '%…%'`): a trigram index finds the candidate
-- rows, and PostgreSQL checks each against the pattern, so the results are exactly
-- those of a full scan. pg_trgm ships with PostgreSQL (the contrib modules) and is a
-- trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX organizations_search_trgm ON organizations USING gin (search_text gin_trgm_ops);
