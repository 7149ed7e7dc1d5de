-- +goose Up
-- Daily readiness figures of each organisation, for the trend.
CREATE TABLE readiness_snapshots (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    day TEXT NOT NULL,
    score REAL NOT NULL,
    measurable_score REAL NOT NULL,
    met INTEGER NOT NULL,
    partial INTEGER NOT NULL,
    gaps INTEGER NOT NULL,
    not_measurable INTEGER NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, day)
);
