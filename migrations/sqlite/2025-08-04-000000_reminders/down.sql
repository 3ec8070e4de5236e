DROP TABLE reminder_slots;
DROP TABLE reminder_items;
DROP TABLE reminder_messages;
ALTER TABLE rollouts DROP COLUMN reminder_policy;
