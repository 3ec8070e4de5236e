-- Rollouts (mandated migrations), each organization's status in them, the append-only
-- history of status changes, and deadline extensions.
CREATE TABLE rollouts (
    slug             TEXT PRIMARY KEY NOT NULL,
    title_kk         TEXT NOT NULL,
    title_ru         TEXT NOT NULL,
    description      TEXT NOT NULL,
    -- comma-separated organization kinds the rollout applies to
    kinds            TEXT NOT NULL,
    starts_on        DATE NOT NULL,
    default_deadline DATE NOT NULL,
    version          BIGINT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE rollout_deadlines (
    rollout_slug TEXT NOT NULL REFERENCES rollouts (slug),
    kind         TEXT NOT NULL,
    deadline     DATE NOT NULL,
    PRIMARY KEY (rollout_slug, kind)
);

CREATE TABLE statuses (
    rollout_slug      TEXT NOT NULL REFERENCES rollouts (slug),
    organization_id   TEXT NOT NULL REFERENCES organizations (id),
    status            TEXT NOT NULL,
    accounts_active   BIGINT NOT NULL CHECK (accounts_active >= 0),
    note              TEXT,
    evidence_url      TEXT,
    -- why it is exempt, or why a report was rejected
    reason            TEXT,
    -- the latest extension, if any; `deadline` is the effective one, kept in step
    extended_deadline DATE,
    deadline          DATE NOT NULL,
    -- when it first became migrated or verified (for "completed late")
    completed_at      TIMESTAMP,
    version           BIGINT NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    updated_by        TEXT,
    PRIMARY KEY (rollout_slug, organization_id)
);
CREATE INDEX statuses_deadline ON statuses (rollout_slug, status, deadline);
CREATE INDEX statuses_organization ON statuses (organization_id);

CREATE TABLE status_events (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rollout_slug    TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    at              TIMESTAMP NOT NULL,
    actor_user_id   TEXT,
    actor_role      TEXT,
    -- report, verify, reject, exempt, revert, mark, import
    event_kind      TEXT NOT NULL,
    from_status     TEXT NOT NULL,
    to_status       TEXT NOT NULL,
    accounts_active BIGINT NOT NULL,
    note            TEXT,
    reason          TEXT
);
CREATE INDEX status_events_organization ON status_events (rollout_slug, organization_id, id);
CREATE INDEX status_events_at ON status_events (rollout_slug, at);

CREATE TABLE extensions (
    id              TEXT PRIMARY KEY NOT NULL,
    rollout_slug    TEXT NOT NULL REFERENCES rollouts (slug),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    deadline        DATE NOT NULL,
    reason          TEXT NOT NULL,
    granted_by      TEXT,
    granted_at      TIMESTAMP NOT NULL
);
CREATE INDEX extensions_organization ON extensions (rollout_slug, organization_id, granted_at);

CREATE FUNCTION status_events_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'status_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER status_events_no_update BEFORE UPDATE OR DELETE ON status_events
    FOR EACH ROW EXECUTE FUNCTION status_events_refuse_change();

-- The first mandate: every state body onto Aitu by 15 September 2025.
INSERT INTO rollouts (slug, title_kk, title_ru, description, kinds, starts_on, default_deadline, version, created_at, updated_at)
VALUES ('aitu',
        'Мемлекеттік органдардың Aitu мессенджеріне көшуі',
        'Переход государственных органов на мессенджер Aitu',
        'Internal work communication of state bodies and the quasi-public sector moves to the national messenger Aitu.',
        'central_state_body,departmental_body,territorial_body,local_executive_body,quasi_public_organization,military_unit',
        '2025-08-01', '2025-09-15', 1, '2025-08-01 00:00:00', '2025-08-01 00:00:00');
INSERT INTO rollout_deadlines (rollout_slug, kind, deadline) VALUES
    ('aitu', 'central_state_body', '2025-09-15'),
    ('aitu', 'departmental_body', '2025-09-15'),
    ('aitu', 'territorial_body', '2025-09-15'),
    ('aitu', 'local_executive_body', '2025-09-15');
