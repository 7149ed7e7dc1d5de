-- +goose Up
-- Decision records: one verifiable log per AI system. A decision's row
-- carries the SHA-256 of its canonical record (the log's leaf commits to it)
-- and the record itself as an erasable payload; tree hashes above the leaves
-- are kept in log_hashes, one level in eight. Sensitive attributes for
-- fairness monitoring are stored apart, committed to by a salted hash.
-- Outcomes are appended later, never edited, to a second log of the system
-- kept the same way.
CREATE TABLE decision_logs (
    no INTEGER PRIMARY KEY,
    log_id TEXT NOT NULL UNIQUE REFERENCES logs (id),
    outcome_log_id TEXT NOT NULL UNIQUE REFERENCES logs (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    system_id TEXT NOT NULL UNIQUE REFERENCES ai_systems (id),
    retention_days INTEGER NOT NULL DEFAULT 183,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE decisions (
    log_no INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    model_version_id TEXT NOT NULL,
    output_label TEXT,
    output_score REAL,
    confidence REAL,
    review TEXT NOT NULL,
    subject TEXT,
    record_hash BLOB NOT NULL,
    payload BLOB,
    erased_at TIMESTAMP,
    PRIMARY KEY (log_no, idx)
);
CREATE UNIQUE INDEX decisions_client ON decisions (log_no, client_id);

-- How many decisions each model version made, and how many people
-- reviewed and overrode, kept up to date by every append.
CREATE TABLE decision_tallies (
    log_no INTEGER NOT NULL,
    model_version_id TEXT NOT NULL,
    review TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (log_no, model_version_id, review)
);

CREATE TABLE decision_attributes (
    log_no INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    salt BLOB,
    attributes TEXT,
    erased_at TIMESTAMP,
    PRIMARY KEY (log_no, idx)
);

CREATE TABLE decision_outcomes (
    log_no INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    decision_idx INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    label TEXT,
    score REAL,
    observed_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL,
    record_hash BLOB NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (log_no, idx)
);
CREATE INDEX decision_outcomes_decision ON decision_outcomes (log_no, decision_idx);
CREATE UNIQUE INDEX decision_outcomes_client ON decision_outcomes (log_no, client_id) WHERE client_id <> '';

-- +goose StatementBegin
CREATE TRIGGER decisions_erase_only BEFORE UPDATE ON decisions
WHEN NEW.payload IS NOT NULL OR NEW.subject IS NOT NULL OR NEW.erased_at IS NULL
  OR NEW.log_no <> OLD.log_no OR NEW.idx <> OLD.idx OR NEW.client_id <> OLD.client_id
  OR NEW.record_hash <> OLD.record_hash OR NEW.decided_at <> OLD.decided_at OR NEW.received_at <> OLD.received_at
  OR NEW.model_version_id <> OLD.model_version_id OR NEW.review <> OLD.review
  OR NEW.output_label IS NOT OLD.output_label OR NEW.output_score IS NOT OLD.output_score
  OR NEW.confidence IS NOT OLD.confidence
BEGIN SELECT RAISE(ABORT, 'decisions may only be erased'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decision_attributes_erase_only BEFORE UPDATE ON decision_attributes
WHEN NEW.attributes IS NOT NULL OR NEW.salt IS NOT NULL OR NEW.erased_at IS NULL
  OR NEW.log_no <> OLD.log_no OR NEW.idx <> OLD.idx
BEGIN SELECT RAISE(ABORT, 'decision_attributes may only be erased'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decision_attributes_no_delete BEFORE DELETE ON decision_attributes
BEGIN SELECT RAISE(ABORT, 'decision_attributes is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decision_outcomes_no_update BEFORE UPDATE ON decision_outcomes
BEGIN SELECT RAISE(ABORT, 'decision_outcomes is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decision_outcomes_no_delete BEFORE DELETE ON decision_outcomes
BEGIN SELECT RAISE(ABORT, 'decision_outcomes is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE decision_outcomes;
DROP TABLE decision_attributes;
DROP TABLE decision_tallies;
DROP TABLE decisions;
DROP TABLE decision_logs;
