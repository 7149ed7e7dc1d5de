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
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
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
    contains_personal_data BOOLEAN NOT NULL,
    personal_data_categories TEXT NOT NULL,
    consent_basis TEXT NOT NULL,
    retention TEXT NOT NULL,
    delete_by TEXT NOT NULL,
    preparation TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    profile TEXT,
    profile_options TEXT,
    profile_summary TEXT,
    profile_file_name TEXT NOT NULL DEFAULT '',
    profile_file_size BIGINT NOT NULL DEFAULT 0,
    profile_sha256 TEXT NOT NULL DEFAULT '',
    profiled_at TIMESTAMPTZ,
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
CREATE FUNCTION dataset_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.org_id, NEW.dataset_id, NEW.number, NEW.label, NEW.source, NEW.acquisition, NEW.licence,
        NEW.contains_personal_data, NEW.personal_data_categories, NEW.consent_basis, NEW.retention, NEW.delete_by,
        NEW.preparation, NEW.created_by, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.org_id, OLD.dataset_id, OLD.number, OLD.label, OLD.source, OLD.acquisition, OLD.licence,
        OLD.contains_personal_data, OLD.personal_data_categories, OLD.consent_basis, OLD.retention, OLD.delete_by,
        OLD.preparation, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'a data set version is immutable except for its profile';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER dataset_versions_frozen BEFORE UPDATE ON dataset_versions
    FOR EACH ROW EXECUTE FUNCTION dataset_versions_frozen();
CREATE TRIGGER dataset_versions_no_delete BEFORE DELETE ON dataset_versions
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER dataset_versions_no_truncate BEFORE TRUNCATE ON dataset_versions
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER dataset_version_parents_append_only BEFORE UPDATE OR DELETE ON dataset_version_parents
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER dataset_version_parents_no_truncate BEFORE TRUNCATE ON dataset_version_parents
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
