-- +goose Up
-- Management reviews (ISO/IEC 42001 9.3): the meeting, its decisions and
-- actions. While a review is a draft its inputs are compiled live; the
-- chair's sign-off stores them (inputs, JSON) and freezes the review and
-- its decisions. Actions keep their agreed text after sign-off; only their
-- status and done date may change.
CREATE TABLE management_reviews (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    held_on TEXT NOT NULL,
    chair_id TEXT NOT NULL,
    attendees TEXT NOT NULL,
    guests TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed_off')),
    period_from TEXT NOT NULL,
    inputs TEXT NOT NULL,
    signed_off_by TEXT NOT NULL,
    signed_off_at TIMESTAMP,
    last_decision INTEGER NOT NULL,
    last_action INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX reviews_signed ON management_reviews (org_id, status, signed_off_at);

CREATE TABLE review_decisions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    review_id TEXT NOT NULL REFERENCES management_reviews (id),
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('improvement', 'change', 'resources')),
    text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (review_id, number)
);

CREATE TABLE review_actions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    review_id TEXT NOT NULL REFERENCES management_reviews (id),
    number INTEGER NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    done_on TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (review_id, number)
);
CREATE INDEX review_actions_org ON review_actions (org_id, status, due_on);

-- +goose StatementBegin
CREATE TRIGGER reviews_signed_no_update BEFORE UPDATE ON management_reviews WHEN OLD.status = 'signed_off'
BEGIN SELECT RAISE(ABORT, 'a signed-off management review is frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON management_reviews
BEGIN SELECT RAISE(ABORT, 'management reviews are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER review_decisions_signed_no_insert BEFORE INSERT ON review_decisions
WHEN (SELECT status FROM management_reviews WHERE id = NEW.review_id) = 'signed_off'
BEGIN SELECT RAISE(ABORT, 'a signed-off management review is frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER review_decisions_signed_no_update BEFORE UPDATE ON review_decisions
WHEN (SELECT status FROM management_reviews WHERE id = OLD.review_id) = 'signed_off'
BEGIN SELECT RAISE(ABORT, 'a signed-off management review is frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER review_decisions_signed_no_delete BEFORE DELETE ON review_decisions
WHEN (SELECT status FROM management_reviews WHERE id = OLD.review_id) = 'signed_off'
BEGIN SELECT RAISE(ABORT, 'a signed-off management review is frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER review_actions_signed_no_insert BEFORE INSERT ON review_actions
WHEN (SELECT status FROM management_reviews WHERE id = NEW.review_id) = 'signed_off'
BEGIN SELECT RAISE(ABORT, 'a signed-off management review is frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER review_actions_signed_text BEFORE UPDATE ON review_actions
WHEN (SELECT status FROM management_reviews WHERE id = OLD.review_id) = 'signed_off'
    AND (NEW.id <> OLD.id OR NEW.org_id <> OLD.org_id OR NEW.review_id <> OLD.review_id OR NEW.number <> OLD.number
        OR NEW.description <> OLD.description OR NEW.owner_id <> OLD.owner_id OR NEW.due_on <> OLD.due_on
        OR NEW.created_at <> OLD.created_at)
BEGIN SELECT RAISE(ABORT, 'the agreed text of a signed-off management review action is frozen'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER review_actions_signed_no_delete BEFORE DELETE ON review_actions
WHEN (SELECT status FROM management_reviews WHERE id = OLD.review_id) = 'signed_off'
BEGIN SELECT RAISE(ABORT, 'a signed-off management review is frozen'); END;
-- +goose StatementEnd
