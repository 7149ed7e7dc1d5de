-- +goose Up
-- Models of AI systems: each model's versions with their artefact digest,
-- the data set versions they were trained and evaluated on (by id, since
-- data sets live in their own tables), their model cards, evaluation
-- results (append-only) and deployments. A deployment is active until it
-- is superseded or withdrawn; the partial unique index keeps at most one
-- active deployment per model and environment.
CREATE TABLE models (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    system_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, system_id, name_key)
);
CREATE INDEX models_org_updated ON models (org_id, updated_at);

CREATE TABLE model_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    model_id TEXT NOT NULL REFERENCES models (id),
    label TEXT NOT NULL,
    label_key TEXT NOT NULL,
    digest TEXT NOT NULL,
    framework TEXT NOT NULL,
    intended_use TEXT NOT NULL,
    out_of_scope_uses TEXT NOT NULL,
    limitations TEXT NOT NULL,
    known_biases TEXT NOT NULL,
    ethical_considerations TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('candidate', 'approved', 'deployed', 'retired')),
    approved_by TEXT NOT NULL,
    approved_at TIMESTAMPTZ,
    approval_note TEXT NOT NULL,
    retired_by TEXT NOT NULL,
    retired_at TIMESTAMPTZ,
    retirement_note TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (model_id, label_key)
);
CREATE INDEX model_versions_org_status ON model_versions (org_id, status);

CREATE TABLE model_version_datasets (
    model_version_id TEXT NOT NULL REFERENCES model_versions (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('training', 'evaluation')),
    position INTEGER NOT NULL,
    dataset_version_id TEXT NOT NULL,
    dataset_key TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    PRIMARY KEY (model_version_id, role, dataset_version_id)
);
CREATE INDEX model_version_datasets_dataset ON model_version_datasets (org_id, dataset_version_id);

CREATE TABLE model_evaluations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    model_version_id TEXT NOT NULL REFERENCES model_versions (id),
    number INTEGER NOT NULL,
    metric TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    dataset_version_id TEXT NOT NULL,
    dataset_key TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    measured_on TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (model_version_id, number)
);

CREATE TABLE model_deployments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    model_id TEXT NOT NULL REFERENCES models (id),
    model_version_id TEXT NOT NULL REFERENCES model_versions (id),
    environment TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    note TEXT NOT NULL,
    deployed_by TEXT NOT NULL,
    deployed_at TIMESTAMPTZ NOT NULL,
    ended_by TEXT NOT NULL,
    ended_at TIMESTAMPTZ,
    end_reason TEXT NOT NULL CHECK (end_reason IN ('', 'superseded', 'withdrawn')),
    end_note TEXT NOT NULL
);
CREATE UNIQUE INDEX model_deployments_one_per_environment ON model_deployments (model_id, environment) WHERE status = 'active';
CREATE INDEX model_deployments_version ON model_deployments (model_version_id);

CREATE TRIGGER model_evaluations_append_only BEFORE UPDATE OR DELETE ON model_evaluations
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER model_evaluations_no_truncate BEFORE TRUNCATE ON model_evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
