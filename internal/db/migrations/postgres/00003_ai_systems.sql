-- +goose Up
-- The AI system inventory.
CREATE TABLE ai_systems (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    intended_purpose TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    ai_roles TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    eu_ai_act_class TEXT NOT NULL,
    deployment_context TEXT NOT NULL,
    affected_stakeholders TEXT NOT NULL,
    automation_level TEXT NOT NULL,
    human_oversight TEXT NOT NULL,
    status TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, name_key)
);
CREATE INDEX ai_systems_org_updated ON ai_systems (org_id, updated_at);
