-- +goose Up
-- Sufficient statistics of each system's decisions per window, kept up to
-- date as decisions and outcomes arrive, so that monitoring merges windows
-- instead of reading decisions again. A row covers an hour (span 3600) or a
-- UTC day (span 86400) starting at start (Unix seconds, decision time).
-- Each table is its primary key (WITHOUT ROWID), so that adding to a count
-- writes one B-tree, not two.
--
-- decision_counts: decisions per model version, group, predicted label and
-- true label (the latest labelled outcome; '' while there is none). feature
-- is '' for everyone, a sensitive attribute, or two joined by ' & '.
CREATE TABLE decision_counts (
    log_no INTEGER NOT NULL,
    span INTEGER NOT NULL,
    start INTEGER NOT NULL,
    model_version_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    grp TEXT NOT NULL,
    predicted TEXT NOT NULL,
    truth TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (log_no, span, start, model_version_id, feature, grp, predicted, truth)
) WITHOUT ROWID;

-- decision_scores: per UTC day, output scores rounded to two significant
-- digits, per model version and true label.
CREATE TABLE decision_scores (
    log_no INTEGER NOT NULL,
    start INTEGER NOT NULL,
    model_version_id TEXT NOT NULL,
    truth TEXT NOT NULL,
    score REAL NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (log_no, start, model_version_id, truth, score)
) WITHOUT ROWID;

-- decision_inputs: per UTC day and model version, how often each input
-- feature took each value: numbers (kind 'n') rounded to three significant
-- digits, other values (kind 'c') as text.
CREATE TABLE decision_inputs (
    log_no INTEGER NOT NULL,
    start INTEGER NOT NULL,
    model_version_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (log_no, start, model_version_id, feature, kind, value)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE decision_inputs;
DROP TABLE decision_scores;
DROP TABLE decision_counts;
