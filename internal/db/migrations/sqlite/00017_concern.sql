-- +goose Up
-- Concerns about the organisation's AI (ISO/IEC 42001 A.3.3). A concern
-- reported anonymously stores no reporter at all (reporter_id is NULL);
-- the reporter's private link is stored only as the SHA-256 of its secret,
-- and so is the organisation's public reporting link. Messages (the
-- reporter's follow-ups and the handlers' internal notes) are append-only.
CREATE TABLE concerns (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('member', 'anonymous', 'public')),
    reporter_id TEXT REFERENCES users (id),
    category TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    systems TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'under_review', 'answered', 'closed')),
    answer TEXT NOT NULL,
    answered_at TIMESTAMP,
    receipt_hash TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref),
    CHECK ((channel = 'member') = (reporter_id IS NOT NULL))
);
CREATE INDEX concerns_org_status ON concerns (org_id, status, created_at);

CREATE TABLE concern_messages (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    concern_id TEXT NOT NULL REFERENCES concerns (id),
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('follow_up', 'note')),
    body TEXT NOT NULL,
    author_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (concern_id, number)
);

CREATE TABLE concern_settings (
    org_id TEXT PRIMARY KEY REFERENCES organisations (id),
    public_enabled INTEGER NOT NULL,
    token_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX concern_settings_token ON concern_settings (token_hash);

-- +goose StatementBegin
CREATE TRIGGER concern_messages_no_update BEFORE UPDATE ON concern_messages
BEGIN SELECT RAISE(ABORT, 'concern_messages is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER concern_messages_no_delete BEFORE DELETE ON concern_messages
BEGIN SELECT RAISE(ABORT, 'concern_messages is append-only'); END;
-- +goose StatementEnd
