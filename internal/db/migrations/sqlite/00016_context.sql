-- +goose Up
-- The context of the organisation (ISO/IEC 42001 4.1 to 4.3): one draft per
-- organisation, edited as a whole with an optimistic version, and approved
-- versions that are frozen. The content (issues, interested parties, scope,
-- the decision on climate change) is stored as JSON in both.
CREATE TABLE context_drafts (
    org_id TEXT PRIMARY KEY REFERENCES organisations (id),
    content TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE context_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    number INTEGER NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL,
    approved_by TEXT NOT NULL REFERENCES users (id),
    approved_by_name TEXT NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    review_months INTEGER NOT NULL,
    next_review_on TEXT NOT NULL,
    UNIQUE (org_id, number)
);

-- +goose StatementBegin
CREATE TRIGGER context_versions_no_update BEFORE UPDATE ON context_versions
BEGIN SELECT RAISE(ABORT, 'context_versions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER context_versions_no_delete BEFORE DELETE ON context_versions
BEGIN SELECT RAISE(ABORT, 'context_versions is append-only'); END;
-- +goose StatementEnd
