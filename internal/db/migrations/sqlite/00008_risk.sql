-- +goose Up
-- AI risk management: versioned risk criteria, the risk register with the
-- AI systems and controls of each risk, treatment actions, acceptances of
-- residual risk, and named risk assessments frozen with the audit
-- checkpoint signed when they close.
CREATE TABLE risk_criteria (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, version)
);

CREATE TABLE risks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    risk_source TEXT NOT NULL,
    objectives TEXT NOT NULL,
    consequences_organisation TEXT NOT NULL,
    consequences_individuals TEXT NOT NULL,
    consequences_society TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    status TEXT NOT NULL,
    closed_reason TEXT NOT NULL,
    criteria_version INTEGER NOT NULL,
    likelihood INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    inherent_level TEXT NOT NULL,
    inherent_rank INTEGER NOT NULL,
    assessed_at TIMESTAMP,
    assessed_by TEXT NOT NULL,
    next_review TEXT NOT NULL,
    treatment_option TEXT NOT NULL,
    treatment_plan TEXT NOT NULL,
    plan_version INTEGER NOT NULL,
    residual_likelihood INTEGER NOT NULL,
    residual_impact INTEGER NOT NULL,
    residual_level TEXT NOT NULL,
    residual_rank INTEGER NOT NULL,
    acceptance_id TEXT,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX risks_org_status ON risks (org_id, status);
CREATE INDEX risks_org_review ON risks (org_id, next_review);

CREATE TABLE risk_systems (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    system_id TEXT NOT NULL,
    PRIMARY KEY (risk_id, system_id)
);
CREATE INDEX risk_systems_system ON risk_systems (org_id, system_id);

CREATE TABLE risk_controls (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    control_id TEXT NOT NULL,
    PRIMARY KEY (risk_id, control_id)
);
CREATE INDEX risk_controls_control ON risk_controls (org_id, control_id);

CREATE TABLE risk_actions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    number INTEGER NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    completed_date TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (risk_id, number)
);
CREATE INDEX risk_actions_due ON risk_actions (org_id, status, due_date);

CREATE TABLE risk_acceptances (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    accepted_by TEXT NOT NULL REFERENCES users (id),
    accepted_at TIMESTAMP NOT NULL,
    plan_version INTEGER NOT NULL,
    criteria_version INTEGER NOT NULL,
    residual_likelihood INTEGER NOT NULL,
    residual_impact INTEGER NOT NULL,
    residual_level TEXT NOT NULL,
    appetite TEXT NOT NULL,
    above_appetite INTEGER NOT NULL,
    reason TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX risk_acceptances_risk ON risk_acceptances (risk_id, accepted_at);

CREATE TABLE risk_assessments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    scope_systems TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref)
);

CREATE TABLE risk_assessment_results (
    assessment_id TEXT PRIMARY KEY REFERENCES risk_assessments (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    closed_by TEXT NOT NULL REFERENCES users (id),
    closed_at TIMESTAMP NOT NULL,
    note TEXT NOT NULL,
    checkpoint_size INTEGER NOT NULL,
    checkpoint_root BLOB NOT NULL,
    checkpoint_note TEXT NOT NULL,
    content TEXT NOT NULL
);

-- Criteria versions, acceptances and closed assessments are records: once
-- written they are never changed or removed.
-- +goose StatementBegin
CREATE TRIGGER risk_criteria_no_update BEFORE UPDATE ON risk_criteria
BEGIN SELECT RAISE(ABORT, 'risk_criteria is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_criteria_no_delete BEFORE DELETE ON risk_criteria
BEGIN SELECT RAISE(ABORT, 'risk_criteria is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_acceptances_no_update BEFORE UPDATE ON risk_acceptances
BEGIN SELECT RAISE(ABORT, 'risk_acceptances is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_acceptances_no_delete BEFORE DELETE ON risk_acceptances
BEGIN SELECT RAISE(ABORT, 'risk_acceptances is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_assessment_results_no_update BEFORE UPDATE ON risk_assessment_results
BEGIN SELECT RAISE(ABORT, 'risk_assessment_results is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_assessment_results_no_delete BEFORE DELETE ON risk_assessment_results
BEGIN SELECT RAISE(ABORT, 'risk_assessment_results is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_assessments_closed_no_update BEFORE UPDATE ON risk_assessments WHEN OLD.status = 'closed'
BEGIN SELECT RAISE(ABORT, 'a closed risk assessment is read-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_assessments_no_delete BEFORE DELETE ON risk_assessments
BEGIN SELECT RAISE(ABORT, 'risk assessments are kept'); END;
-- +goose StatementEnd
