DROP INDEX status_events_unit_at;
CREATE INDEX status_events_organization ON status_events (rollout_slug, organization_id, id);
DROP INDEX statuses_subtree;
DROP INDEX statuses_report;
DROP TRIGGER organizations_copy_to_statuses ON organizations;
DROP FUNCTION organizations_copy_to_statuses();
ALTER TABLE statuses
    DROP COLUMN org_path,
    DROP COLUMN org_archived,
    DROP COLUMN org_headcount,
    DROP COLUMN org_region,
    DROP COLUMN org_kind;
