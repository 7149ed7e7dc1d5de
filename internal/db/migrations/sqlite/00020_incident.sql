-- +goose Up
-- Incidents concerning AI systems (ISO/IEC 42001 A.8.4, 10.2; EU AI Act
-- Art. 73): what happened, harm, who was affected, the systems and model
-- versions involved (JSON lists of ids and references), containment, and
-- the notification duties with their deadlines, counted from awareness.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    aware_at TIMESTAMP NOT NULL,
    reported_by TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    harms TEXT NOT NULL,
    affected_count INTEGER NOT NULL,
    affected_who TEXT NOT NULL,
    systems TEXT NOT NULL,
    model_versions TEXT NOT NULL,
    containment TEXT NOT NULL,
    serious INTEGER NOT NULL CHECK (serious IN (0, 1)),
    serious_category TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'contained', 'resolved', 'closed')),
    lessons TEXT NOT NULL,
    nc_ref TEXT NOT NULL,
    last_notice INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    UNIQUE (org_id, ref)
);
CREATE INDEX incidents_status ON incidents (org_id, status);

CREATE TABLE incident_notifications (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    number INTEGER NOT NULL,
    recipient TEXT NOT NULL CHECK (recipient IN ('market_surveillance', 'data_protection', 'customers', 'affected_persons', 'other')),
    recipient_name TEXT NOT NULL,
    basis TEXT NOT NULL CHECK (basis IN ('art73', 'gdpr33', 'entered')),
    due_at TIMESTAMP NOT NULL,
    notified_at TIMESTAMP,
    method TEXT NOT NULL,
    reference TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (incident_id, number)
);
CREATE INDEX incident_notifications_due ON incident_notifications (org_id, due_at);
