-- The national summary adds up a tally instead of every unit: per rollout, region,
-- kind, status and effective deadline, how many active (not archived) units there are
-- and their Σ accounts_active and Σ headcount. The triggers below keep it in step with
-- `statuses` in the same transaction as each write, whoever writes (the service, an
-- import, the organization trigger that copies region, kind and headcount). Whether a
-- deadline is past or near is decided when the report is read, so the tally never
-- goes stale with the calendar. Rows that fall to zero units stay and are skipped.
CREATE TABLE status_tally (
    rollout_slug    TEXT NOT NULL,
    org_region      TEXT NOT NULL,
    org_kind        TEXT NOT NULL,
    status          TEXT NOT NULL,
    deadline        DATE NOT NULL,
    units           BIGINT NOT NULL,
    accounts_active BIGINT NOT NULL,
    headcount       BIGINT NOT NULL,
    PRIMARY KEY (rollout_slug, org_region, org_kind, status, deadline)
) WITHOUT ROWID;

INSERT INTO status_tally
SELECT rollout_slug, org_region, org_kind, status, deadline,
       COUNT(*), COALESCE(SUM(accounts_active), 0), COALESCE(SUM(org_headcount), 0)
FROM statuses WHERE NOT org_archived
GROUP BY rollout_slug, org_region, org_kind, status, deadline;

CREATE TRIGGER status_tally_insert AFTER INSERT ON statuses
WHEN NOT NEW.org_archived
BEGIN
    INSERT INTO status_tally
    VALUES (NEW.rollout_slug, NEW.org_region, NEW.org_kind, NEW.status, NEW.deadline,
            1, NEW.accounts_active, NEW.org_headcount)
    ON CONFLICT DO UPDATE SET units = units + 1,
        accounts_active = accounts_active + excluded.accounts_active,
        headcount = headcount + excluded.headcount;
END;

CREATE TRIGGER status_tally_update AFTER UPDATE ON statuses
WHEN OLD.status IS NOT NEW.status OR OLD.deadline IS NOT NEW.deadline
  OR OLD.accounts_active IS NOT NEW.accounts_active
  OR OLD.org_headcount IS NOT NEW.org_headcount OR OLD.org_region IS NOT NEW.org_region
  OR OLD.org_kind IS NOT NEW.org_kind OR OLD.org_archived IS NOT NEW.org_archived
  OR OLD.rollout_slug IS NOT NEW.rollout_slug
BEGIN
    UPDATE status_tally
    SET units = units - 1, accounts_active = accounts_active - OLD.accounts_active,
        headcount = headcount - OLD.org_headcount
    WHERE NOT OLD.org_archived AND rollout_slug = OLD.rollout_slug
      AND org_region = OLD.org_region AND org_kind = OLD.org_kind
      AND status = OLD.status AND deadline = OLD.deadline;
    INSERT INTO status_tally
    SELECT NEW.rollout_slug, NEW.org_region, NEW.org_kind, NEW.status, NEW.deadline,
           1, NEW.accounts_active, NEW.org_headcount
    WHERE NOT NEW.org_archived
    ON CONFLICT DO UPDATE SET units = units + 1,
        accounts_active = accounts_active + excluded.accounts_active,
        headcount = headcount + excluded.headcount;
END;

CREATE TRIGGER status_tally_delete AFTER DELETE ON statuses
WHEN NOT OLD.org_archived
BEGIN
    UPDATE status_tally
    SET units = units - 1, accounts_active = accounts_active - OLD.accounts_active,
        headcount = headcount - OLD.org_headcount
    WHERE rollout_slug = OLD.rollout_slug AND org_region = OLD.org_region
      AND org_kind = OLD.org_kind AND status = OLD.status AND deadline = OLD.deadline;
END;
