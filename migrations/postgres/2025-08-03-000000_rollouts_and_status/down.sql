DROP TABLE extensions;
DROP TABLE status_events;
DROP TABLE statuses;
DROP TABLE rollout_deadlines;
DROP TABLE rollouts;
DROP FUNCTION status_events_refuse_change();
