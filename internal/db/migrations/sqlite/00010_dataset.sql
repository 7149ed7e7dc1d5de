-- +goose Up
-- Data sets (ISO/IEC 42001 A.7): each with its AI systems and numbered
-- versions recording acquisition, legal basis, personal data, retention and
-- preparation; the versions each was derived from; and the data-quality
-- profile of a version's file. A version's record never changes once
-- written, except that its profile may be attached or replaced.
CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    latest_version INTEGER NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, name_key)
);

CREATE TABLE dataset_systems (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    dataset_id TEXT NOT NULL REFERENCES datasets (id),
    system_id TEXT NOT NULL,
    PRIMARY KEY (dataset_id, system_id)
);
CREATE INDEX dataset_systems_system ON dataset_systems (org_id, system_id);

CREATE TABLE dataset_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    dataset_id TEXT NOT NULL REFERENCES datasets (id),
    number INTEGER NOT NULL,
    label TEXT NOT NULL,
    source TEXT NOT NULL,
    acquisition TEXT NOT NULL,
    licence TEXT NOT NULL,
    contains_personal_data INTEGER NOT NULL,
    personal_data_categories TEXT NOT NULL,
    consent_basis TEXT NOT NULL,
    retention TEXT NOT NULL,
    delete_by TEXT NOT NULL,
    preparation TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    profile TEXT,
    profile_options TEXT,
    profile_summary TEXT,
    profile_file_name TEXT NOT NULL DEFAULT '',
    profile_file_size INTEGER NOT NULL DEFAULT 0,
    profile_sha256 TEXT NOT NULL DEFAULT '',
    profiled_at TIMESTAMP,
    profiled_by TEXT NOT NULL DEFAULT '',
    UNIQUE (dataset_id, number)
);
CREATE INDEX dataset_versions_org ON dataset_versions (org_id, dataset_id);

CREATE TABLE dataset_version_parents (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    version_id TEXT NOT NULL REFERENCES dataset_versions (id),
    parent_id TEXT NOT NULL REFERENCES dataset_versions (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (version_id, parent_id)
);
CREATE INDEX dataset_version_parents_parent ON dataset_version_parents (org_id, parent_id);

-- +goose StatementBegin
CREATE TRIGGER dataset_versions_frozen BEFORE UPDATE OF id, org_id, dataset_id, number, label, source,
    acquisition, licence, contains_personal_data, personal_data_categories, consent_basis, retention, delete_by,
    preparation, created_by, created_at ON dataset_versions
BEGIN SELECT RAISE(ABORT, 'a data set version is immutable except for its profile'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dataset_versions_no_delete BEFORE DELETE ON dataset_versions
BEGIN SELECT RAISE(ABORT, 'dataset_versions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dataset_version_parents_no_update BEFORE UPDATE ON dataset_version_parents
BEGIN SELECT RAISE(ABORT, 'dataset_version_parents is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dataset_version_parents_no_delete BEFORE DELETE ON dataset_version_parents
BEGIN SELECT RAISE(ABORT, 'dataset_version_parents is append-only'); END;
-- +goose StatementEnd
