-- Lists filtered on kind and region (the most common filter) read one partial index of
-- the active organizations, in the order they are shown, and count from it too. It
-- replaces the older (kind, region, name_ru) index, which had to visit every row to
-- leave the archived ones out.
DROP INDEX organizations_kind_region;
CREATE INDEX organizations_active_kind_region_name
    ON organizations (kind, region, name_ru, id) WHERE archived_at IS NULL;
CREATE INDEX organizations_active_kind_region_headcount
    ON organizations (kind, region, headcount, id) WHERE archived_at IS NULL;

-- Name search (`q`): a trigram index of the folded names of the active organizations.
-- `search_text` is already folded by the application, so the index compares it as it
-- is (case_sensitive 1); a phrase of trigrams matches exactly the texts that contain
-- the phrase, the same rows `search_text LIKE '%…%'` finds. The text itself stays in
-- `organizations` (external content). New rows enter the index from the application
-- (`OrganizationRow::insert_many`, one statement per batch: a trigger per row made bulk
-- imports four times slower); the triggers below keep it in step, in the same
-- transaction, with every edit, archive, unarchive and delete.
-- The index refers to rows by rowid: after a VACUUM, rebuild it with
--   INSERT INTO organization_search (organization_search) VALUES ('rebuild');
CREATE VIRTUAL TABLE organization_search USING fts5 (
    search_text,
    content = 'organizations',
    content_rowid = 'rowid',
    tokenize = 'trigram case_sensitive 1',
    detail = 'full'
);

INSERT INTO organization_search (rowid, search_text)
SELECT rowid, search_text FROM organizations WHERE archived_at IS NULL;

CREATE TRIGGER organization_search_update AFTER UPDATE OF search_text, archived_at ON organizations
WHEN OLD.search_text IS NOT NEW.search_text
  OR (OLD.archived_at IS NULL) IS NOT (NEW.archived_at IS NULL)
BEGIN
    INSERT INTO organization_search (organization_search, rowid, search_text)
    SELECT 'delete', OLD.rowid, OLD.search_text WHERE OLD.archived_at IS NULL;
    INSERT INTO organization_search (rowid, search_text)
    SELECT NEW.rowid, NEW.search_text WHERE NEW.archived_at IS NULL;
END;

CREATE TRIGGER organization_search_delete AFTER DELETE ON organizations
WHEN OLD.archived_at IS NULL
BEGIN
    INSERT INTO organization_search (organization_search, rowid, search_text)
    VALUES ('delete', OLD.rowid, OLD.search_text);
END;
