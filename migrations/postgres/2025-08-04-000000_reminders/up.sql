-- The reminder outbox. A message is one email to one recipient on one day (a digest
-- of every unit due); an item is one unit at one stage of the schedule for one
-- recipient, unique, so a reminder is planned at most once.
ALTER TABLE rollouts ADD COLUMN reminder_policy TEXT;

CREATE TABLE reminder_messages (
    id              TEXT PRIMARY KEY NOT NULL,
    recipient_email TEXT NOT NULL,
    recipient_name  TEXT,
    -- the Almaty date of the digest: one message per recipient per day
    digest_date     DATE NOT NULL,
    -- pending, sent, failed, cancelled
    state           TEXT NOT NULL,
    escalation      BOOLEAN NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- a worker holds the message until then; after, another may take it over
    lease_until     TIMESTAMP,
    claimed_by      TEXT,
    message_id      TEXT,
    last_error      TEXT,
    sent_at         TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (recipient_email, digest_date)
);
CREATE INDEX reminder_messages_due ON reminder_messages (state, next_attempt_at);

CREATE TABLE reminder_items (
    id              TEXT PRIMARY KEY NOT NULL,
    rollout_slug    TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    -- before-14, before-7, ..., overdue-1, overdue-4, ...
    stage           TEXT NOT NULL,
    -- it_head, head, parent_it_head, coordinator
    recipient_role  TEXT NOT NULL,
    -- empty when the organization has no address for that role
    recipient_email TEXT NOT NULL,
    escalation      BOOLEAN NOT NULL,
    message_id      TEXT REFERENCES reminder_messages (id),
    -- queued, sent, failed, skipped, cancelled
    state           TEXT NOT NULL,
    reason          TEXT,
    deadline        DATE NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (rollout_slug, organization_id, stage, recipient_role, recipient_email)
);
CREATE INDEX reminder_items_message ON reminder_items (message_id);
CREATE INDEX reminder_items_created ON reminder_items (created_at);

-- Scheduled passes: the instance that records a slot first runs its planning.
CREATE TABLE reminder_slots (
    slot       TEXT PRIMARY KEY NOT NULL,
    instance   TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL
);
