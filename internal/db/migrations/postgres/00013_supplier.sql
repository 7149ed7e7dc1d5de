-- +goose Up
-- Third parties and resources (ISO/IEC 42001 A.4, A.10): suppliers and
-- customers, what each supplies or receives (by id of the system, model or
-- data set, which live in their own tables), supplier assessments
-- (append-only), the responsibility matrix of each AI system by
-- life-cycle stage, and the resources systems rely on.
CREATE TABLE third_parties (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('supplier', 'customer', 'both')),
    description TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_web TEXT NOT NULL,
    country TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    last_supply INTEGER NOT NULL,
    last_assessment INTEGER NOT NULL,
    last_assessed_on TEXT NOT NULL,
    last_result TEXT NOT NULL,
    next_assessment_on TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, name_key)
);

CREATE TABLE supplies (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    party_id TEXT NOT NULL REFERENCES third_parties (id),
    number INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('supplier', 'customer')),
    kind TEXT NOT NULL CHECK (kind IN ('model', 'data_set', 'service', 'tooling', 'computing', 'other')),
    system_id TEXT NOT NULL,
    model_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    description TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (party_id, number)
);
CREATE INDEX supplies_system ON supplies (org_id, system_id);
CREATE INDEX supplies_model ON supplies (org_id, model_id);
CREATE INDEX supplies_dataset ON supplies (org_id, dataset_id);

CREATE TABLE supplier_assessments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    party_id TEXT NOT NULL REFERENCES third_parties (id),
    number INTEGER NOT NULL,
    assessed_on TEXT NOT NULL,
    assessor_id TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('satisfactory', 'satisfactory_with_conditions', 'unsatisfactory')),
    findings TEXT NOT NULL,
    next_assessment_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (party_id, number)
);

CREATE TABLE raci_matrices (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    system_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, system_id)
);

CREATE TABLE raci_entries (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    system_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('responsible', 'accountable', 'consulted', 'informed')),
    party_kind TEXT NOT NULL CHECK (party_kind IN ('member', 'third_party')),
    party_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (org_id, system_id, stage, role, party_kind, party_id)
);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('data', 'tooling', 'computing', 'people', 'other')),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    provider_id TEXT REFERENCES third_parties (id),
    competences TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
    UNIQUE (org_id, ref)
);
CREATE INDEX resources_org_kind ON resources (org_id, kind);

CREATE TABLE resource_systems (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    resource_id TEXT NOT NULL REFERENCES resources (id),
    system_id TEXT NOT NULL,
    PRIMARY KEY (resource_id, system_id)
);
CREATE INDEX resource_systems_system ON resource_systems (org_id, system_id);

CREATE TABLE resource_members (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    resource_id TEXT NOT NULL REFERENCES resources (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (resource_id, user_id)
);

CREATE TRIGGER supplier_assessments_append_only BEFORE UPDATE OR DELETE ON supplier_assessments
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER supplier_assessments_no_truncate BEFORE TRUNCATE ON supplier_assessments
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
