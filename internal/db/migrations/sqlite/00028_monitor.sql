-- +goose Up
-- Monitoring: how each system's decisions and outcomes read as positive,
-- the monitors that judge a metric window by window, their judgements and
-- the alerts a breach raises until a later window recovers.
CREATE TABLE monitor_settings (
    system_id TEXT PRIMARY KEY REFERENCES ai_systems (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    positive TEXT NOT NULL,
    positive_outcome TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE monitors (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    system_id TEXT NOT NULL REFERENCES ai_systems (id),
    name TEXT NOT NULL,
    metric TEXT NOT NULL,
    feature TEXT NOT NULL,
    grp TEXT NOT NULL,
    method TEXT NOT NULL,
    agg TEXT NOT NULL,
    model_version_id TEXT NOT NULL,
    win TEXT NOT NULL,
    threshold REAL NOT NULL,
    direction TEXT NOT NULL,
    min_samples INTEGER NOT NULL,
    delay_hours INTEGER NOT NULL,
    reference_from TIMESTAMP,
    reference_to TIMESTAMP,
    reference_dataset TEXT NOT NULL,
    severity TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    state TEXT NOT NULL,
    evaluated_until TIMESTAMP,
    archived_at TIMESTAMP,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX monitors_system ON monitors (org_id, system_id);

CREATE TABLE monitor_results (
    monitor_id TEXT NOT NULL REFERENCES monitors (id),
    win_start TIMESTAMP NOT NULL,
    value REAL,
    n INTEGER NOT NULL,
    status TEXT NOT NULL,
    judged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (monitor_id, win_start)
);

CREATE TABLE monitor_alerts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    monitor_id TEXT NOT NULL REFERENCES monitors (id),
    win_start TIMESTAMP NOT NULL,
    value REAL,
    threshold REAL NOT NULL,
    direction TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    incident_ref TEXT NOT NULL,
    recovered_at TIMESTAMP,
    recovery_window TIMESTAMP
);
CREATE INDEX monitor_alerts_monitor ON monitor_alerts (monitor_id, win_start);
CREATE INDEX monitor_alerts_org ON monitor_alerts (org_id, opened_at);

-- +goose Down
DROP TABLE monitor_alerts;
DROP TABLE monitor_results;
DROP TABLE monitors;
DROP TABLE monitor_settings;
