-- +goose Up
-- The internal audit programme (ISO/IEC 42001 9.2): a programme per
-- three-year certification cycle, the audits planned in it with their
-- scope (clauses, controls, AI systems) and auditees, the checklist
-- generated when an audit starts, and the findings its report raised.
-- Issuing the report freezes the audit: triggers refuse any later change to
-- it, its scope, auditees and checklist; findings are append-only.
CREATE TABLE internal_audit_programmes (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    cycle_start TEXT NOT NULL,
    objectives TEXT NOT NULL,
    methods TEXT NOT NULL,
    responsibilities TEXT NOT NULL,
    frequency_basis TEXT NOT NULL,
    manager_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, cycle_start)
);

CREATE TABLE internal_audits (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    programme_id TEXT NOT NULL REFERENCES internal_audit_programmes (id),
    title TEXT NOT NULL,
    objectives TEXT NOT NULL,
    criteria TEXT NOT NULL,
    planned_start TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    auditor_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'reported')),
    started_at TIMESTAMP,
    summary TEXT NOT NULL,
    conclusion TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    reported_at TIMESTAMP,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX internal_audits_programme ON internal_audits (org_id, programme_id);

CREATE TABLE internal_audit_auditees (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    audit_id TEXT NOT NULL REFERENCES internal_audits (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (audit_id, user_id)
);

CREATE TABLE internal_audit_scope (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    audit_id TEXT NOT NULL REFERENCES internal_audits (id),
    kind TEXT NOT NULL CHECK (kind IN ('clause', 'control', 'system')),
    item TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (audit_id, kind, item)
);

CREATE TABLE internal_audit_items (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    audit_id TEXT NOT NULL REFERENCES internal_audits (id),
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('clause', 'control')),
    requirement TEXT NOT NULL,
    title TEXT NOT NULL,
    asks TEXT NOT NULL,
    claimed_justification TEXT NOT NULL,
    claimed_status TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('not_assessed', 'conforming', 'minor', 'major', 'observation', 'opportunity')),
    notes TEXT NOT NULL,
    evidence TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (audit_id, number)
);

CREATE TABLE internal_audit_findings (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    audit_id TEXT NOT NULL REFERENCES internal_audits (id),
    number INTEGER NOT NULL,
    item_number INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('minor', 'major', 'observation', 'opportunity')),
    nonconformity_ref TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (audit_id, number)
);

-- +goose StatementBegin
CREATE TRIGGER internal_audits_frozen_update BEFORE UPDATE ON internal_audits WHEN OLD.status = 'reported'
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audits_frozen_delete BEFORE DELETE ON internal_audits WHEN OLD.status = 'reported'
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_items_frozen_insert BEFORE INSERT ON internal_audit_items
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = NEW.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_items_frozen_update BEFORE UPDATE ON internal_audit_items
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = OLD.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_items_frozen_delete BEFORE DELETE ON internal_audit_items
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = OLD.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_scope_frozen_insert BEFORE INSERT ON internal_audit_scope
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = NEW.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_scope_frozen_update BEFORE UPDATE ON internal_audit_scope
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = OLD.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_scope_frozen_delete BEFORE DELETE ON internal_audit_scope
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = OLD.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_auditees_frozen_insert BEFORE INSERT ON internal_audit_auditees
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = NEW.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_auditees_frozen_update BEFORE UPDATE ON internal_audit_auditees
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = OLD.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_auditees_frozen_delete BEFORE DELETE ON internal_audit_auditees
WHEN EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = OLD.audit_id AND a.status = 'reported')
BEGIN SELECT RAISE(ABORT, 'internal audit is reported and frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_findings_no_update BEFORE UPDATE ON internal_audit_findings
BEGIN SELECT RAISE(ABORT, 'internal_audit_findings is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER internal_audit_findings_no_delete BEFORE DELETE ON internal_audit_findings
BEGIN SELECT RAISE(ABORT, 'internal_audit_findings is append-only'); END;
-- +goose StatementEnd
