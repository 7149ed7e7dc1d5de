-- +goose Up
-- AI system impact assessment: the organisation's own templates, saved as
-- numbered versions; assessments of AI systems with their answers and
-- impacts; the links from impacts to the risks they raise; and approved
-- versions frozen with the audit checkpoint signed at approval.
CREATE TABLE impact_templates (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    based_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    UNIQUE (org_id, ref)
);

CREATE TABLE impact_template_versions (
    template_id TEXT NOT NULL REFERENCES impact_templates (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    sections TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (template_id, number)
);

CREATE TABLE impact_assessments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    system_id TEXT NOT NULL,
    model_version_id TEXT,
    template_key TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'approved')),
    answers TEXT NOT NULL,
    residual_concerns TEXT NOT NULL,
    next_review_date TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    latest_approved_at TIMESTAMP,
    impact_seq INTEGER NOT NULL,
    review_action TEXT NOT NULL,
    review_note TEXT NOT NULL,
    review_by TEXT NOT NULL,
    review_at TIMESTAMP,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX impact_assessments_system ON impact_assessments (org_id, system_id);

CREATE TABLE impact_impacts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    assessment_id TEXT NOT NULL REFERENCES impact_assessments (id),
    number INTEGER NOT NULL,
    group_name TEXT NOT NULL,
    harm TEXT NOT NULL,
    severity TEXT NOT NULL,
    likelihood TEXT NOT NULL,
    reversibility TEXT NOT NULL,
    scale TEXT NOT NULL,
    mitigation TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (assessment_id, number)
);

CREATE TABLE impact_risk_links (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    impact_id TEXT NOT NULL REFERENCES impact_impacts (id),
    assessment_id TEXT NOT NULL REFERENCES impact_assessments (id),
    risk_id TEXT NOT NULL,
    risk_ref TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (impact_id, risk_id)
);
CREATE INDEX impact_risk_links_risk ON impact_risk_links (org_id, risk_id);

CREATE TABLE impact_assessment_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    assessment_id TEXT NOT NULL REFERENCES impact_assessments (id),
    number INTEGER NOT NULL,
    note TEXT NOT NULL,
    next_review_date TEXT NOT NULL,
    approved_by TEXT NOT NULL REFERENCES users (id),
    approved_at TIMESTAMP NOT NULL,
    checkpoint_size INTEGER NOT NULL,
    checkpoint_root BLOB NOT NULL,
    checkpoint_note TEXT NOT NULL,
    content TEXT NOT NULL,
    UNIQUE (assessment_id, number)
);

-- +goose StatementBegin
CREATE TRIGGER impact_template_versions_no_update BEFORE UPDATE ON impact_template_versions
BEGIN SELECT RAISE(ABORT, 'impact_template_versions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER impact_template_versions_no_delete BEFORE DELETE ON impact_template_versions
BEGIN SELECT RAISE(ABORT, 'impact_template_versions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER impact_assessment_versions_no_update BEFORE UPDATE ON impact_assessment_versions
BEGIN SELECT RAISE(ABORT, 'impact_assessment_versions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER impact_assessment_versions_no_delete BEFORE DELETE ON impact_assessment_versions
BEGIN SELECT RAISE(ABORT, 'impact_assessment_versions is append-only'); END;
-- +goose StatementEnd
