-- +goose Up
-- Evidence: files stored by SHA-256, links and written notes, each linked
-- to controls, clauses and AI systems.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link', 'note')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    url TEXT NOT NULL,
    note TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    added_by TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
    UNIQUE (org_id, ref)
);
CREATE INDEX evidence_org_until ON evidence (org_id, status, valid_until);

CREATE TABLE evidence_links (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    target_type TEXT NOT NULL CHECK (target_type IN ('control', 'clause', 'ai_system')),
    target_id TEXT NOT NULL,
    PRIMARY KEY (evidence_id, target_type, target_id)
);
CREATE INDEX evidence_links_target ON evidence_links (org_id, target_type, target_id);
