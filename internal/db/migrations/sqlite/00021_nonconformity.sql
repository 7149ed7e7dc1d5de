-- +goose Up
-- Nonconformities (ISO/IEC 42001 10.2): where each was found, the
-- correction, the root cause, corrective actions numbered within the
-- nonconformity, and effectiveness checks (append-only). Clauses,
-- controls and AI systems are kept as JSON lists of ids; members by user id.
CREATE TABLE nonconformities (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('audit', 'incident', 'concern', 'review', 'monitoring', 'other')),
    source_ref TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('minor', 'major')),
    clauses TEXT NOT NULL,
    controls TEXT NOT NULL,
    systems TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'planned', 'verifying', 'closed')),
    correction TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    rca_method TEXT NOT NULL,
    similar_cases TEXT NOT NULL,
    replan_reason TEXT NOT NULL,
    aims_change_needed INTEGER NOT NULL,
    aims_change TEXT NOT NULL,
    last_action INTEGER NOT NULL,
    last_check INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    closed_by TEXT NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX nonconformities_status ON nonconformities (org_id, status);

CREATE TABLE nc_actions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    nc_id TEXT NOT NULL REFERENCES nonconformities (id),
    number INTEGER NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    done_on TEXT NOT NULL,
    note TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (nc_id, number)
);
CREATE INDEX nc_actions_due ON nc_actions (org_id, status, due_on);

CREATE TABLE nc_checks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    nc_id TEXT NOT NULL REFERENCES nonconformities (id),
    number INTEGER NOT NULL,
    checked_on TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    effective INTEGER NOT NULL CHECK (effective IN (0, 1)),
    evidence TEXT NOT NULL,
    notes TEXT NOT NULL,
    actions_checked INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (nc_id, number)
);

-- +goose StatementBegin
CREATE TRIGGER nc_checks_no_update BEFORE UPDATE ON nc_checks
BEGIN SELECT RAISE(ABORT, 'nc_checks is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER nc_checks_no_delete BEFORE DELETE ON nc_checks
BEGIN SELECT RAISE(ABORT, 'nc_checks is append-only'); END;
-- +goose StatementEnd
