-- Accounts, API tokens, web sessions, login throttling and the audit trail.
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    -- lower-cased, so uniqueness is case-insensitive
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    scope_id      TEXT REFERENCES organizations (id),
    active        BOOLEAN NOT NULL,
    -- argon2id PHC string; NULL: no password login (token-only accounts)
    password_hash TEXT,
    version       BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    -- the first characters of the token, shown to help people tell tokens apart
    prefix       TEXT NOT NULL,
    -- SHA-256 of the token (hex); the token itself is never stored
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sessions (
    -- SHA-256 of the cookie value; the cookie itself is never stored
    id_hash      TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf_hash    TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ended_at     TIMESTAMP,
    client_addr  TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins per account ('email:...') and per client address ('addr:...').
CREATE TABLE login_failures (
    throttle_key    TEXT PRIMARY KEY NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TIMESTAMP NOT NULL,
    actor_user_id  TEXT,
    actor_token_id TEXT,
    actor_email    TEXT,
    action         TEXT NOT NULL,
    object_type    TEXT,
    object_id      TEXT,
    -- the tree path of the organization concerned, for coordinators' scoped reading
    scope_path     TEXT,
    before_value   TEXT,
    after_value    TEXT,
    request_id     TEXT,
    client_addr    TEXT,
    outcome        TEXT NOT NULL,
    detail         TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id);

-- The audit trail is append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
