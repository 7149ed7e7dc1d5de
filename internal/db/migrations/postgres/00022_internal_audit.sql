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
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
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
    started_at TIMESTAMPTZ,
    summary TEXT NOT NULL,
    conclusion TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    reported_at TIMESTAMPTZ,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
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
    updated_at TIMESTAMPTZ NOT NULL,
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
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (audit_id, number)
);

-- +goose StatementBegin
CREATE FUNCTION internal_audit_refuse_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    audit TEXT;
BEGIN
    IF TG_TABLE_NAME = 'internal_audits' THEN
        IF OLD.status = 'reported' THEN
            RAISE EXCEPTION 'internal audit % is reported and frozen', OLD.ref;
        END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN
            audit := NEW.audit_id;
        ELSE
            audit := OLD.audit_id;
        END IF;
        IF EXISTS (SELECT 1 FROM internal_audits a WHERE a.id = audit AND a.status = 'reported') THEN
            RAISE EXCEPTION 'internal audit is reported and frozen';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER internal_audits_frozen BEFORE UPDATE OR DELETE ON internal_audits
    FOR EACH ROW EXECUTE FUNCTION internal_audit_refuse_frozen();
CREATE TRIGGER internal_audit_items_frozen BEFORE INSERT OR UPDATE OR DELETE ON internal_audit_items
    FOR EACH ROW EXECUTE FUNCTION internal_audit_refuse_frozen();
CREATE TRIGGER internal_audit_scope_frozen BEFORE INSERT OR UPDATE OR DELETE ON internal_audit_scope
    FOR EACH ROW EXECUTE FUNCTION internal_audit_refuse_frozen();
CREATE TRIGGER internal_audit_auditees_frozen BEFORE INSERT OR UPDATE OR DELETE ON internal_audit_auditees
    FOR EACH ROW EXECUTE FUNCTION internal_audit_refuse_frozen();
CREATE TRIGGER internal_audit_findings_append_only BEFORE UPDATE OR DELETE ON internal_audit_findings
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER internal_audit_findings_no_truncate BEFORE TRUNCATE ON internal_audit_findings
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
