-- The registry of organizations: a tree kept with a materialized path so that
-- subtree checks (permissions, filters) are one indexed range scan.
CREATE TABLE organizations (
    id            TEXT PRIMARY KEY NOT NULL,
    bin           TEXT COLLATE "C" NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    parent_id     TEXT REFERENCES organizations (id),
    -- '/<root id>/.../<own id>/'; "C" collation so that range scans compare bytes as SQLite does
    path          TEXT COLLATE "C" NOT NULL,
    depth         INTEGER NOT NULL,
    region        TEXT NOT NULL,
    headcount     BIGINT NOT NULL CHECK (headcount >= 0),
    name_kk       TEXT NOT NULL,
    name_ru       TEXT NOT NULL,
    name_en       TEXT,
    -- lower-cased, NFKC-normalized names, written by the application so that
    -- search folds Cyrillic and Kazakh letters the same way on both backends
    search_text   TEXT NOT NULL,
    it_head_name  TEXT,
    it_head_email TEXT,
    it_head_phone TEXT,
    head_name     TEXT,
    head_email    TEXT,
    version       BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    archived_at   TIMESTAMP
);

CREATE INDEX organizations_parent_id ON organizations (parent_id);
CREATE UNIQUE INDEX organizations_path ON organizations (path);
CREATE INDEX organizations_kind ON organizations (kind, name_ru);
CREATE INDEX organizations_region ON organizations (region, name_ru);
CREATE INDEX organizations_name_ru ON organizations (name_ru, id);
