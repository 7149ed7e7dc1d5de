-- +goose Up
-- People (ISO/IEC 42001 5.3, 7.2, 7.3, A.3.2, A.4.6): AIMS roles with
-- their responsibilities and the members who hold them, competences and
-- those each role requires, training courses and the competences they
-- confer, and training records. A training record, its competences and
-- evidence, and its withdrawal never change once written (append-only); a
-- record is corrected by a new record that replaces it.
CREATE TABLE aims_roles (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    responsibilities TEXT NOT NULL,
    authorities TEXT NOT NULL,
    reports_to_top INTEGER NOT NULL CHECK (reports_to_top IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, name_key)
);

CREATE TABLE competences (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, name_key)
);

CREATE TABLE aims_role_members (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    role_id TEXT NOT NULL REFERENCES aims_roles (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (role_id, user_id)
);
CREATE INDEX aims_role_members_user ON aims_role_members (org_id, user_id);

CREATE TABLE aims_role_competences (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    role_id TEXT NOT NULL REFERENCES aims_roles (id),
    competence_id TEXT NOT NULL REFERENCES competences (id),
    PRIMARY KEY (role_id, competence_id)
);

CREATE TABLE training_courses (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    provider TEXT NOT NULL,
    description TEXT NOT NULL,
    validity_months INTEGER NOT NULL CHECK (validity_months >= 0),
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    UNIQUE (org_id, ref),
    UNIQUE (org_id, title_key)
);

CREATE TABLE course_competences (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    course_id TEXT NOT NULL REFERENCES training_courses (id),
    competence_id TEXT NOT NULL REFERENCES competences (id),
    PRIMARY KEY (course_id, competence_id)
);

CREATE TABLE training_records (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    course_id TEXT REFERENCES training_courses (id),
    activity TEXT NOT NULL CHECK (activity IN ('', 'education', 'experience', 'other')),
    activity_title TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    replaces_id TEXT REFERENCES training_records (id),
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref),
    CHECK ((course_id IS NULL) <> (activity = ''))
);
CREATE INDEX training_records_user ON training_records (org_id, user_id);
CREATE UNIQUE INDEX training_records_replaces ON training_records (replaces_id);

CREATE TABLE training_record_competences (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    record_id TEXT NOT NULL REFERENCES training_records (id),
    competence_id TEXT NOT NULL REFERENCES competences (id),
    PRIMARY KEY (record_id, competence_id)
);

CREATE TABLE training_record_evidence (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    record_id TEXT NOT NULL REFERENCES training_records (id),
    evidence_id TEXT NOT NULL,
    evidence_ref TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (record_id, evidence_id)
);

CREATE TABLE training_withdrawals (
    record_id TEXT PRIMARY KEY REFERENCES training_records (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    reason TEXT NOT NULL,
    withdrawn_by TEXT NOT NULL,
    withdrawn_at TIMESTAMP NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER training_records_no_update BEFORE UPDATE ON training_records
BEGIN SELECT RAISE(ABORT, 'training_records is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER training_records_no_delete BEFORE DELETE ON training_records
BEGIN SELECT RAISE(ABORT, 'training_records is append-only'); END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER training_record_competences_no_update BEFORE UPDATE ON training_record_competences
BEGIN SELECT RAISE(ABORT, 'training_record_competences is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER training_record_competences_no_delete BEFORE DELETE ON training_record_competences
BEGIN SELECT RAISE(ABORT, 'training_record_competences is append-only'); END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER training_record_evidence_no_update BEFORE UPDATE ON training_record_evidence
BEGIN SELECT RAISE(ABORT, 'training_record_evidence is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER training_record_evidence_no_delete BEFORE DELETE ON training_record_evidence
BEGIN SELECT RAISE(ABORT, 'training_record_evidence is append-only'); END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER training_withdrawals_no_update BEFORE UPDATE ON training_withdrawals
BEGIN SELECT RAISE(ABORT, 'training_withdrawals is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER training_withdrawals_no_delete BEFORE DELETE ON training_withdrawals
BEGIN SELECT RAISE(ABORT, 'training_withdrawals is append-only'); END;
-- +goose StatementEnd
