DROP TRIGGER status_tally_delete ON statuses;
DROP TRIGGER status_tally_update ON statuses;
DROP TRIGGER status_tally_insert ON statuses;
DROP FUNCTION status_tally_apply();
DROP TABLE status_tally;
