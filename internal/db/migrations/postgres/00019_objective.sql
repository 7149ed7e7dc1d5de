-- +goose Up
-- AI objectives and their measurement (ISO/IEC 42001 6.2, 9.1, Annex C):
-- each objective with its owner, the Annex C objectives it relates to, the
-- AI systems it concerns and its plan; its indicators with a target and a
-- cadence; and the values measured, which are append-only (a mistake is
-- corrected by a later measurement that names the one it corrects).
CREATE TABLE objectives (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    annex_c TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id),
    plan_actions TEXT NOT NULL,
    plan_resources TEXT NOT NULL,
    plan_responsible TEXT NOT NULL,
    plan_due_on TEXT NOT NULL,
    plan_evaluation TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'achieved', 'withdrawn')),
    status_note TEXT NOT NULL,
    last_indicator INTEGER NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX objectives_org_status ON objectives (org_id, status);

CREATE TABLE objective_systems (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    objective_id TEXT NOT NULL REFERENCES objectives (id),
    system_id TEXT NOT NULL,
    PRIMARY KEY (objective_id, system_id)
);
CREATE INDEX objective_systems_system ON objective_systems (org_id, system_id);

CREATE TABLE objective_indicators (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    objective_id TEXT NOT NULL REFERENCES objectives (id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('at_least', 'at_most', 'between')),
    target_min DOUBLE PRECISION,
    target_max DOUBLE PRECISION,
    cadence TEXT NOT NULL CHECK (cadence IN ('monthly', 'quarterly', 'half_yearly', 'yearly')),
    method TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('manual', 'api')),
    starts_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    last_measurement INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (objective_id, number)
);
CREATE INDEX objective_indicators_org ON objective_indicators (org_id, status);

CREATE TABLE objective_measurements (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    indicator_id TEXT NOT NULL REFERENCES objective_indicators (id),
    number INTEGER NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    measured_on TEXT NOT NULL,
    note TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    evidence_ref TEXT NOT NULL,
    corrects INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (indicator_id, number)
);
CREATE INDEX objective_measurements_org ON objective_measurements (org_id, indicator_id, measured_on);

CREATE TRIGGER objective_measurements_append_only BEFORE UPDATE OR DELETE ON objective_measurements
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER objective_measurements_no_truncate BEFORE TRUNCATE ON objective_measurements
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
