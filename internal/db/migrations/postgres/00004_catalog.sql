-- +goose Up
-- Controls an organisation adds to the Annex A ones (6.1.3 allows them).
CREATE TABLE custom_controls (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    category_id TEXT NOT NULL,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    asks TEXT NOT NULL,
    evidence TEXT NOT NULL,
    auditor_samples TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, title_key)
);
