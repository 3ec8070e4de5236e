-- The national summary adds up a tally instead of every unit: per rollout, region,
-- kind, status and effective deadline, how many active (not archived) units there are
-- and their Σ accounts_active and Σ headcount. The triggers below keep it in step with
-- `statuses` in the same transaction as each write, whoever writes (the service, an
-- import, the organization trigger that copies region, kind and headcount). Whether a
-- deadline is past or near is decided when the report is read, so the tally never
-- goes stale with the calendar. Rows that fall to zero units stay and are skipped.
CREATE TABLE status_tally (
    rollout_slug    TEXT COLLATE "C" NOT NULL,
    org_region      TEXT COLLATE "C" NOT NULL,
    org_kind        TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL,
    deadline        DATE NOT NULL,
    units           BIGINT NOT NULL,
    accounts_active BIGINT NOT NULL,
    headcount       BIGINT NOT NULL,
    PRIMARY KEY (rollout_slug, org_region, org_kind, status, deadline)
);

INSERT INTO status_tally
SELECT rollout_slug, org_region, org_kind, status, deadline,
       COUNT(*), COALESCE(SUM(accounts_active), 0), COALESCE(SUM(org_headcount), 0)
FROM statuses WHERE NOT org_archived
GROUP BY rollout_slug, org_region, org_kind, status, deadline;

-- Statement triggers over the transition tables: a bulk insert or update adds its rows
-- up once. Each statement writes every tally row it touches in one INSERT, in key
-- order, so concurrent writers take the row locks in the same order and cannot
-- deadlock; a write that leaves its group's sums unchanged (a note) writes nothing.
--
-- A transaction that updates thousands of status rows one statement at a time (an
-- import) would update the same tally rows thousands of times, and each update has to
-- step over every earlier version of the row the transaction left behind: quadratic.
-- Such a transaction sets `aitu.defer_tally` to 'on' (SET LOCAL) and counts the tally
-- again from `statuses` before it commits (see `rollout::tally` in the service).
CREATE FUNCTION status_tally_apply() RETURNS trigger AS $$
BEGIN
    IF current_setting('aitu.defer_tally', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO status_tally AS t
        SELECT rollout_slug, org_region, org_kind, status, deadline,
               COUNT(*), SUM(accounts_active), SUM(org_headcount)
        FROM new_rows WHERE NOT org_archived
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (rollout_slug, org_region, org_kind, status, deadline) DO UPDATE
        SET units = t.units + EXCLUDED.units,
            accounts_active = t.accounts_active + EXCLUDED.accounts_active,
            headcount = t.headcount + EXCLUDED.headcount;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO status_tally AS t
        SELECT rollout_slug, org_region, org_kind, status, deadline,
               SUM(units), SUM(accounts_active), SUM(headcount)
        FROM (SELECT rollout_slug, org_region, org_kind, status, deadline,
                     -1 AS units, -accounts_active AS accounts_active,
                     -org_headcount AS headcount
              FROM old_rows WHERE NOT org_archived
              UNION ALL
              SELECT rollout_slug, org_region, org_kind, status, deadline,
                     1, accounts_active, org_headcount
              FROM new_rows WHERE NOT org_archived) AS d
        GROUP BY 1, 2, 3, 4, 5
        HAVING SUM(units) <> 0 OR SUM(accounts_active) <> 0 OR SUM(headcount) <> 0
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (rollout_slug, org_region, org_kind, status, deadline) DO UPDATE
        SET units = t.units + EXCLUDED.units,
            accounts_active = t.accounts_active + EXCLUDED.accounts_active,
            headcount = t.headcount + EXCLUDED.headcount;
    ELSE
        INSERT INTO status_tally AS t
        SELECT rollout_slug, org_region, org_kind, status, deadline,
               -COUNT(*), -SUM(accounts_active), -SUM(org_headcount)
        FROM old_rows WHERE NOT org_archived
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (rollout_slug, org_region, org_kind, status, deadline) DO UPDATE
        SET units = t.units + EXCLUDED.units,
            accounts_active = t.accounts_active + EXCLUDED.accounts_active,
            headcount = t.headcount + EXCLUDED.headcount;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER status_tally_insert AFTER INSERT ON statuses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION status_tally_apply();
CREATE TRIGGER status_tally_update AFTER UPDATE ON statuses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION status_tally_apply();
CREATE TRIGGER status_tally_delete AFTER DELETE ON statuses
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION status_tally_apply();
