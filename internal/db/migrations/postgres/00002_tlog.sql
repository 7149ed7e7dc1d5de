-- +goose Up
-- Verifiable logs: RFC 6962 Merkle trees whose leaves commit to payloads
-- stored apart, signed checkpoints, and the audit event index.
CREATE TABLE logs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL UNIQUE,
    size BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, kind, subject_id)
);

CREATE TABLE log_entries (
    log_id TEXT NOT NULL REFERENCES logs (id),
    idx BIGINT NOT NULL,
    payload_hash BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (log_id, idx)
);

CREATE TABLE log_payloads (
    log_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    payload BYTEA,
    erased_at TIMESTAMPTZ,
    PRIMARY KEY (log_id, idx),
    FOREIGN KEY (log_id, idx) REFERENCES log_entries (log_id, idx)
);

CREATE TABLE log_hashes (
    log_id TEXT NOT NULL REFERENCES logs (id),
    hidx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (log_id, hidx)
);

CREATE TABLE log_checkpoints (
    id TEXT PRIMARY KEY,
    log_id TEXT NOT NULL REFERENCES logs (id),
    size BIGINT NOT NULL,
    root_hash BYTEA NOT NULL,
    note TEXT NOT NULL,
    key_name TEXT NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX log_checkpoints_log ON log_checkpoints (log_id, size);

CREATE TABLE log_keys (
    vkey TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_events (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    idx BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
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
CREATE FUNCTION aims_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION aims_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.payload IS NOT NULL OR NEW.erased_at IS NULL OR NEW.log_id <> OLD.log_id OR NEW.idx <> OLD.idx THEN
        RAISE EXCEPTION 'log_payloads may only be erased';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER log_hashes_append_only BEFORE UPDATE OR DELETE ON log_hashes
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER log_payloads_no_delete BEFORE DELETE ON log_payloads
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER log_payloads_erase_only BEFORE UPDATE ON log_payloads
    FOR EACH ROW EXECUTE FUNCTION aims_erase_only();
-- TRUNCATE bypasses row triggers; refuse it too.
CREATE TRIGGER log_entries_no_truncate BEFORE TRUNCATE ON log_entries
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER log_hashes_no_truncate BEFORE TRUNCATE ON log_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER log_checkpoints_no_truncate BEFORE TRUNCATE ON log_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER log_payloads_no_truncate BEFORE TRUNCATE ON log_payloads
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
