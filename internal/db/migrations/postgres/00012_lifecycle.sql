-- +goose Up
-- The life cycle of AI systems: the stage gates each organisation sets
-- (one JSON document per organisation, with its version), requests to move
-- a system to another stage with the checks recorded at the decision, and
-- change requests with their classification. The partial unique index
-- keeps at most one open stage-move request per system.
CREATE TABLE lifecycle_gates (
    org_id TEXT PRIMARY KEY REFERENCES organisations (id),
    content TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE stage_requests (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    system_id TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    justification TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'refused', 'withdrawn')),
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMPTZ,
    decision_note TEXT NOT NULL,
    overridden BOOLEAN NOT NULL,
    checks TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX stage_requests_system ON stage_requests (org_id, system_id, created_at);
CREATE UNIQUE INDEX stage_requests_one_open ON stage_requests (org_id, system_id) WHERE status = 'open';

CREATE TABLE change_requests (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    system_id TEXT NOT NULL,
    title TEXT NOT NULL,
    kinds TEXT NOT NULL,
    description TEXT NOT NULL,
    justification TEXT NOT NULL,
    expected_impact TEXT NOT NULL,
    marked_significant BOOLEAN NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('significant', 'minor')),
    classification_rule TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    raised_reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused', 'implemented', 'withdrawn')),
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMPTZ,
    decision_note TEXT NOT NULL,
    implemented_by TEXT NOT NULL,
    implemented_at TIMESTAMPTZ,
    implementation_note TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX change_requests_system ON change_requests (org_id, system_id, status);
CREATE INDEX change_requests_org_created ON change_requests (org_id, created_at);
