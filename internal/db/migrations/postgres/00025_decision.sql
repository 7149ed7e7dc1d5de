-- +goose Up
-- Decision records: one verifiable log per AI system. A decision's row
-- carries the SHA-256 of its canonical record (the log's leaf commits to it)
-- and the record itself as an erasable payload; tree hashes above the leaves
-- are kept in log_hashes, one level in eight. Sensitive attributes for
-- fairness monitoring are stored apart, committed to by a salted hash.
-- Outcomes are appended later, never edited, to a second log of the system
-- kept the same way.
CREATE TABLE decision_logs (
    no BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    log_id TEXT NOT NULL UNIQUE REFERENCES logs (id),
    outcome_log_id TEXT NOT NULL UNIQUE REFERENCES logs (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    system_id TEXT NOT NULL UNIQUE REFERENCES ai_systems (id),
    retention_days INTEGER NOT NULL DEFAULT 183,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE decisions (
    log_no BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    model_version_id TEXT NOT NULL,
    output_label TEXT,
    output_score DOUBLE PRECISION,
    confidence DOUBLE PRECISION,
    review TEXT NOT NULL,
    subject TEXT,
    record_hash BYTEA NOT NULL,
    payload BYTEA,
    erased_at TIMESTAMPTZ,
    PRIMARY KEY (log_no, idx)
);
CREATE UNIQUE INDEX decisions_client ON decisions (log_no, client_id);

-- How many decisions each model version made, and how many people
-- reviewed and overrode, kept up to date by every append.
CREATE TABLE decision_tallies (
    log_no BIGINT NOT NULL,
    model_version_id TEXT NOT NULL,
    review TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (log_no, model_version_id, review)
);

CREATE TABLE decision_attributes (
    log_no BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    salt BYTEA,
    attributes TEXT,
    erased_at TIMESTAMPTZ,
    PRIMARY KEY (log_no, idx)
);

CREATE TABLE decision_outcomes (
    log_no BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    decision_idx BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    label TEXT,
    score DOUBLE PRECISION,
    observed_at TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    record_hash BYTEA NOT NULL,
    payload BYTEA NOT NULL,
    PRIMARY KEY (log_no, idx)
);
CREATE INDEX decision_outcomes_decision ON decision_outcomes (log_no, decision_idx);
CREATE UNIQUE INDEX decision_outcomes_client ON decision_outcomes (log_no, client_id) WHERE client_id <> '';

-- +goose StatementBegin
CREATE FUNCTION aims_decision_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.payload IS NOT NULL OR NEW.subject IS NOT NULL OR NEW.erased_at IS NULL
        OR NEW.log_no <> OLD.log_no OR NEW.idx <> OLD.idx OR NEW.client_id <> OLD.client_id
        OR NEW.record_hash <> OLD.record_hash OR NEW.decided_at <> OLD.decided_at OR NEW.received_at <> OLD.received_at
        OR NEW.model_version_id <> OLD.model_version_id OR NEW.review <> OLD.review
        OR NEW.output_label IS DISTINCT FROM OLD.output_label OR NEW.output_score IS DISTINCT FROM OLD.output_score
        OR NEW.confidence IS DISTINCT FROM OLD.confidence THEN
        RAISE EXCEPTION 'decisions may only be erased';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION aims_attributes_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.attributes IS NOT NULL OR NEW.salt IS NOT NULL OR NEW.erased_at IS NULL
        OR NEW.log_no <> OLD.log_no OR NEW.idx <> OLD.idx THEN
        RAISE EXCEPTION 'decision_attributes may only be erased';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER decisions_erase_only BEFORE UPDATE ON decisions
    FOR EACH ROW EXECUTE FUNCTION aims_decision_erase_only();
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER decision_attributes_erase_only BEFORE UPDATE ON decision_attributes
    FOR EACH ROW EXECUTE FUNCTION aims_attributes_erase_only();
CREATE TRIGGER decision_attributes_no_delete BEFORE DELETE ON decision_attributes
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER decision_attributes_no_truncate BEFORE TRUNCATE ON decision_attributes
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER decision_outcomes_append_only BEFORE UPDATE OR DELETE ON decision_outcomes
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER decision_outcomes_no_truncate BEFORE TRUNCATE ON decision_outcomes
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();

-- +goose Down
DROP TABLE decision_outcomes;
DROP TABLE decision_attributes;
DROP TABLE decision_tallies;
DROP TABLE decisions;
DROP TABLE decision_logs;
DROP FUNCTION aims_attributes_erase_only();
DROP FUNCTION aims_decision_erase_only();
