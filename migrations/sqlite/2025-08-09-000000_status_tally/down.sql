DROP TRIGGER status_tally_delete;
DROP TRIGGER status_tally_update;
DROP TRIGGER status_tally_insert;
DROP TABLE status_tally;
