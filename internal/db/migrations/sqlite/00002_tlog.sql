-- +goose Up
-- Verifiable logs: RFC 6962 Merkle trees whose leaves commit to payloads
-- stored apart, signed checkpoints, and the audit event index.
CREATE TABLE logs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, kind, subject_id)
);

CREATE TABLE log_entries (
    log_id TEXT NOT NULL REFERENCES logs (id),
    idx INTEGER NOT NULL,
    payload_hash BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (log_id, idx)
);

CREATE TABLE log_payloads (
    log_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    payload BLOB,
    erased_at TIMESTAMP,
    PRIMARY KEY (log_id, idx),
    FOREIGN KEY (log_id, idx) REFERENCES log_entries (log_id, idx)
);

CREATE TABLE log_hashes (
    log_id TEXT NOT NULL REFERENCES logs (id),
    hidx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (log_id, hidx)
);

CREATE TABLE log_checkpoints (
    id TEXT PRIMARY KEY,
    log_id TEXT NOT NULL REFERENCES logs (id),
    size INTEGER NOT NULL,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    key_name TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL
);
CREATE INDEX log_checkpoints_log ON log_checkpoints (log_id, size);

CREATE TABLE log_keys (
    vkey TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_events (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    idx INTEGER NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    object_ref TEXT NOT NULL,
    PRIMARY KEY (org_id, idx)
);
CREATE INDEX audit_events_object ON audit_events (org_id, object_type, object_id, idx);

-- +goose StatementBegin
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'log_hashes is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'log_hashes is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER log_payloads_erase_only BEFORE UPDATE ON log_payloads
WHEN NEW.payload IS NOT NULL OR NEW.erased_at IS NULL OR NEW.log_id <> OLD.log_id OR NEW.idx <> OLD.idx
BEGIN SELECT RAISE(ABORT, 'log_payloads may only be erased'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER log_payloads_no_delete BEFORE DELETE ON log_payloads
BEGIN SELECT RAISE(ABORT, 'log_payloads is append-only'); END;
-- +goose StatementEnd
