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
CREATE FUNCTION review_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rid TEXT;
BEGIN
    IF TG_TABLE_NAME = 'management_reviews' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'management reviews are never deleted';
        END IF;
        RAISE EXCEPTION 'a signed-off management review is frozen';
    END IF;
    IF TG_OP = 'INSERT' THEN
        rid := NEW.review_id;
    ELSE
        rid := OLD.review_id;
    END IF;
    IF (SELECT status FROM management_reviews WHERE id = rid) <> 'signed_off' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'review_actions' AND TG_OP = 'UPDATE'
        AND NEW.id = OLD.id AND NEW.org_id = OLD.org_id AND NEW.review_id = OLD.review_id AND NEW.number = OLD.number
        AND NEW.description = OLD.description AND NEW.owner_id = OLD.owner_id AND NEW.due_on = OLD.due_on
        AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a signed-off management review is frozen';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER reviews_signed_no_update BEFORE UPDATE ON management_reviews
    FOR EACH ROW WHEN (OLD.status = 'signed_off') EXECUTE FUNCTION review_frozen();
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON management_reviews
    FOR EACH ROW EXECUTE FUNCTION review_frozen();
CREATE TRIGGER reviews_no_truncate BEFORE TRUNCATE ON management_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER review_decisions_frozen BEFORE INSERT OR UPDATE OR DELETE ON review_decisions
    FOR EACH ROW EXECUTE FUNCTION review_frozen();
CREATE TRIGGER review_decisions_no_truncate BEFORE TRUNCATE ON review_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER review_actions_frozen BEFORE INSERT OR UPDATE OR DELETE ON review_actions
    FOR EACH ROW EXECUTE FUNCTION review_frozen();
CREATE TRIGGER review_actions_no_truncate BEFORE TRUNCATE ON review_actions
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
