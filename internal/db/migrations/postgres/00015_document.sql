-- +goose Up
-- Documented information (ISO/IEC 42001 5.2, 7.3, 7.5, A.2): documents such
-- as the AI policy with their owner, review interval, the clauses and
-- controls they address and the roles they are distributed to; their
-- versions, of which at most one is a draft that editors change while
-- approved versions can be neither changed nor deleted; the reviews that
-- kept each document current; and who acknowledged reading which approved
-- version. Reviews and acknowledgements are append-only.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ai_policy', 'policy', 'procedure', 'record', 'other')),
    owner_id TEXT NOT NULL REFERENCES users (id),
    review_months INTEGER NOT NULL CHECK (review_months BETWEEN 1 AND 60),
    -- 'everyone', or the roles it is distributed to, separated by commas.
    distribution TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    archive_reason TEXT NOT NULL,
    -- The number of the approved version in force; 0 before the first approval.
    current_number INTEGER NOT NULL,
    -- YYYY-MM-DD of the latest approval or review, and when the next review is due; '' before the first approval.
    last_reviewed_on TEXT NOT NULL,
    next_review_on TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ,
    UNIQUE (org_id, ref)
);
-- One AI policy in force per organisation.
CREATE UNIQUE INDEX documents_one_ai_policy ON documents (org_id) WHERE kind = 'ai_policy' AND status = 'active';
CREATE INDEX documents_org_review ON documents (org_id, status, next_review_on);

CREATE TABLE document_addresses (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    document_id TEXT NOT NULL REFERENCES documents (id),
    item_kind TEXT NOT NULL CHECK (item_kind IN ('clause', 'control')),
    item_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (document_id, item_kind, item_id)
);
CREATE INDEX document_addresses_item ON document_addresses (org_id, item_kind, item_id);

CREATE TABLE document_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    document_id TEXT NOT NULL REFERENCES documents (id),
    number INTEGER NOT NULL CHECK (number >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved')),
    body TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    change_note TEXT NOT NULL,
    author_id TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TIMESTAMPTZ,
    approval_note TEXT NOT NULL,
    UNIQUE (document_id, number)
);
-- At most one draft per document.
CREATE UNIQUE INDEX document_versions_one_draft ON document_versions (document_id) WHERE status = 'draft';

CREATE TABLE document_reviews (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    document_id TEXT NOT NULL REFERENCES documents (id),
    number INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'no_change')),
    reviewed_on TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    note TEXT NOT NULL,
    next_review_on TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX document_reviews_document ON document_reviews (document_id, created_at);

CREATE TABLE document_acknowledgements (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    document_id TEXT NOT NULL REFERENCES documents (id),
    version_id TEXT NOT NULL REFERENCES document_versions (id),
    number INTEGER NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    acknowledged_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (version_id, user_id)
);
CREATE INDEX document_acknowledgements_user ON document_acknowledgements (org_id, user_id);
CREATE INDEX document_acknowledgements_document ON document_acknowledgements (document_id, number);

-- +goose StatementBegin
CREATE FUNCTION aims_document_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'document_versions: an approved version cannot change or be deleted';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER document_versions_approved_frozen BEFORE UPDATE OR DELETE ON document_versions
    FOR EACH ROW EXECUTE FUNCTION aims_document_version_frozen();
CREATE TRIGGER document_versions_no_truncate BEFORE TRUNCATE ON document_versions
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER document_reviews_append_only BEFORE UPDATE OR DELETE ON document_reviews
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER document_reviews_no_truncate BEFORE TRUNCATE ON document_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER document_acknowledgements_append_only BEFORE UPDATE OR DELETE ON document_acknowledgements
    FOR EACH ROW EXECUTE FUNCTION aims_refuse_change();
CREATE TRIGGER document_acknowledgements_no_truncate BEFORE TRUNCATE ON document_acknowledgements
    FOR EACH STATEMENT EXECUTE FUNCTION aims_refuse_change();
