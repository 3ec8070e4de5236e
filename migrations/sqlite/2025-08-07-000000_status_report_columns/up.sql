-- Reports read one table: each status row carries a copy of the organization fields
-- they group and filter on, so a national summary is one pass over one index instead
-- of a join per unit. New rows get the copies from the application; the trigger below
-- keeps them in step when an organization changes (in the same transaction).
ALTER TABLE statuses ADD COLUMN org_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE statuses ADD COLUMN org_region TEXT NOT NULL DEFAULT '';
ALTER TABLE statuses ADD COLUMN org_headcount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN org_archived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE statuses ADD COLUMN org_path TEXT NOT NULL DEFAULT '';

UPDATE statuses
SET (org_kind, org_region, org_headcount, org_archived, org_path) =
    (SELECT o.kind, o.region, o.headcount, o.archived_at IS NOT NULL, o.path
     FROM organizations o WHERE o.id = statuses.organization_id);

CREATE TRIGGER organizations_copy_to_statuses
AFTER UPDATE OF kind, region, headcount, archived_at, path ON organizations
WHEN OLD.kind IS NOT NEW.kind OR OLD.region IS NOT NEW.region
  OR OLD.headcount IS NOT NEW.headcount
  OR (OLD.archived_at IS NULL) IS NOT (NEW.archived_at IS NULL)
  OR OLD.path IS NOT NEW.path
BEGIN
    UPDATE statuses
    SET org_kind = NEW.kind, org_region = NEW.region, org_headcount = NEW.headcount,
        org_archived = NEW.archived_at IS NOT NULL, org_path = NEW.path
    WHERE organization_id = NEW.id;
END;

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
