-- Reports read one table: each status row carries a copy of the organization fields
-- they group and filter on, so a national summary is one pass over one index instead
-- of a join per unit. New rows get the copies from the application; the trigger below
-- keeps them in step when an organization changes (in the same transaction).
ALTER TABLE statuses
    ADD COLUMN org_kind TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN org_region TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN org_headcount BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN org_archived BOOLEAN NOT NULL DEFAULT FALSE,
    -- "C" collation, as organizations.path: subtree ranges compare bytes
    ADD COLUMN org_path TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE statuses s
SET org_kind = o.kind, org_region = o.region, org_headcount = o.headcount,
    org_archived = o.archived_at IS NOT NULL, org_path = o.path
FROM organizations o WHERE o.id = s.organization_id;

-- Only the backfill needed defaults: an insert that forgets a copy fails here.
ALTER TABLE statuses
    ALTER COLUMN org_kind DROP DEFAULT,
    ALTER COLUMN org_region DROP DEFAULT,
    ALTER COLUMN org_headcount DROP DEFAULT,
    ALTER COLUMN org_archived DROP DEFAULT,
    ALTER COLUMN org_path DROP DEFAULT;

CREATE FUNCTION organizations_copy_to_statuses() RETURNS trigger AS $$
BEGIN
    UPDATE statuses
    SET org_kind = NEW.kind, org_region = NEW.region, org_headcount = NEW.headcount,
        org_archived = NEW.archived_at IS NOT NULL, org_path = NEW.path
    WHERE organization_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER organizations_copy_to_statuses
AFTER UPDATE OF kind, region, headcount, archived_at, path ON organizations
FOR EACH ROW
WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.region IS DISTINCT FROM NEW.region
   OR OLD.headcount IS DISTINCT FROM NEW.headcount
   OR (OLD.archived_at IS NULL) IS DISTINCT FROM (NEW.archived_at IS NULL)
   OR OLD.path IS DISTINCT FROM NEW.path)
EXECUTE FUNCTION organizations_copy_to_statuses();

-- The summary: active units of a rollout in (region, kind, status) order, everything it
-- adds up inside the index. The status page counts from it too.
CREATE INDEX statuses_report ON statuses
    (rollout_slug, org_archived, org_region, org_kind, status, deadline, accounts_active, org_headcount);
-- Reports on one subtree.
CREATE INDEX statuses_subtree ON statuses (rollout_slug, org_path);

-- `summary?as_of=` looks up each unit's last event before a moment; the history of one
-- unit (newest first) reads the same index.
DROP INDEX status_events_organization;
CREATE INDEX status_events_unit_at ON status_events (rollout_slug, organization_id, at, id);
