-- +goose Up
-- The Statement of Applicability: a draft edited per control (and per AI
-- system where it differs), and approved versions frozen with the audit
-- checkpoint signed at approval.
CREATE TABLE soa_drafts (
    org_id TEXT PRIMARY KEY REFERENCES organisations (id),
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE soa_entries (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    control_id TEXT NOT NULL,
    system_id TEXT NOT NULL,
    applicable BOOLEAN NOT NULL,
    justification TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    target_date TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (org_id, control_id, system_id)
);

CREATE TABLE soa_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    number INTEGER NOT NULL,
    scope TEXT NOT NULL,
    note TEXT NOT NULL,
    approved_by TEXT NOT NULL REFERENCES users (id),
    approved_at TIMESTAMPTZ NOT NULL,
    checkpoint_size BIGINT NOT NULL,
    checkpoint_root BYTEA NOT NULL,
    checkpoint_note TEXT NOT NULL,
    entries TEXT NOT NULL,
    UNIQUE (org_id, number)
);

CREATE TRIGGER soa_versions_append_only BEFORE UPDATE OR DELETE ON soa_versions
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
