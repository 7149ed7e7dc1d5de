package document

import (
	"context"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

const selectDocument = `SELECT d.id, d.ref, d.title, d.kind, d.owner_id, COALESCE(u.name, ''), COALESCE(u.email, ''), d.review_months,
	d.distribution, d.status, d.archive_reason, d.current_number, d.last_reviewed_on, d.next_review_on, d.version,
	d.created_at, d.updated_at, d.archived_at
	FROM documents d LEFT JOIN users u ON u.id = d.owner_id`

// row is a document as stored, with the number of its version in force.
type row struct {
	Document
	current int
}

func scanDocument(scan func(...any) error) (*row, error) {
	var r row
	var dist string
	err := scan(&r.ID, &r.Ref, &r.Title, &r.Kind, &r.OwnerID, &r.OwnerName, &r.OwnerEmail, &r.ReviewMonths, &dist, &r.Status,
		&r.ArchiveReason, &r.current, &r.LastReviewedOn, &r.NextReviewOn, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.ArchivedAt)
	r.Distribution = decodeDistribution(dist)
	r.Clauses, r.Controls = []Item{}, []Item{}
	return &r, err
}

// where selects a document of an organisation by id or reference.
func where(orgID, idOrRef string) (string, []any) {
	key := strings.TrimSpace(idOrRef)
	if aims.ValidID(key) {
		return ` WHERE d.org_id = ? AND d.id = ?`, []any{orgID, strings.ToLower(key)}
	}
	return ` WHERE d.org_id = ? AND d.ref = ?`, []any{orgID, strings.ToUpper(key)}
}

// getRow reads a document's own fields.
func (s *Service) getRow(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*row, error) {
	w, args := where(orgID, idOrRef)
	r, err := scanDocument(q.QueryRowContext(ctx, selectDocument+w, args...).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("document", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	if err := s.fillAddresses(ctx, q, orgID, []*row{r}); err != nil {
		return nil, err
	}
	return r, nil
}

// get reads a whole document as the viewer sees it.
func (s *Service) get(ctx context.Context, q db.Queryer, viewer *aims.Actor, idOrRef string) (*Document, error) {
	r, err := s.getRow(ctx, q, viewer.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if err := s.fill(ctx, q, viewer, []*row{r}, false); err != nil {
		return nil, err
	}
	return &r.Document, nil
}

// in is a list of placeholders for n values.
func in(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

func idArgs(rows []*row) ([]any, map[string]*row) {
	args := make([]any, len(rows))
	by := make(map[string]*row, len(rows))
	for i, r := range rows {
		args[i] = r.ID
		by[r.ID] = r
	}
	return args, by
}

// fillAddresses reads the clauses and controls each document addresses, with their titles.
func (s *Service) fillAddresses(ctx context.Context, q db.Queryer, orgID string, rows []*row) error {
	if len(rows) == 0 {
		return nil
	}
	args, by := idArgs(rows)
	rs, err := q.QueryContext(ctx, `SELECT document_id, item_kind, item_id FROM document_addresses WHERE document_id IN `+in(len(args))+`
		ORDER BY document_id, item_kind, position`, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	type ref struct{ doc, kind, id string }
	var refs []ref
	for rs.Next() {
		var x ref
		if err := rs.Scan(&x.doc, &x.kind, &x.id); err != nil {
			return err
		}
		refs = append(refs, x)
	}
	if err := rs.Err(); err != nil {
		return err
	}
	titles := map[string]string{}
	for _, x := range refs {
		r := by[x.doc]
		key := x.kind + " " + x.id
		title, ok := titles[key]
		if !ok {
			if x.kind == "clause" {
				title, _ = s.sources.Clause(x.id)
			} else if title, _, err = s.sources.Control(ctx, orgID, x.id); err != nil {
				return err
			}
			titles[key] = title
		}
		if x.kind == "clause" {
			r.Clauses = append(r.Clauses, Item{ID: x.id, Title: title})
		} else {
			r.Controls = append(r.Controls, Item{ID: x.id, Title: title})
		}
	}
	return nil
}

const selectVersion = `SELECT v.document_id, v.number, v.status, v.body_sha256, length(v.body), v.change_note, v.author_id, COALESCE(a.name, ''),
	v.updated_by, COALESCE(b.name, ''), v.revision, v.created_at, v.updated_at, v.approved_by, COALESCE(c.name, ''), v.approved_at, v.approval_note
	FROM document_versions v LEFT JOIN users a ON a.id = v.author_id LEFT JOIN users b ON b.id = v.updated_by
	LEFT JOIN users c ON c.id = v.approved_by`

func scanVersion(scan func(...any) error, docID *string) (*VersionInfo, error) {
	var v VersionInfo
	err := scan(docID, &v.Number, &v.Status, &v.TextSHA256, &v.Characters, &v.ChangeNote, &v.AuthorID, &v.AuthorName, &v.UpdatedBy,
		&v.UpdatedByName, &v.Revision, &v.CreatedAt, &v.UpdatedAt, &v.ApprovedBy, &v.ApprovedByName, &v.ApprovedAt, &v.ApprovalNote)
	return &v, err
}

// fill reads, for each document, its addresses (unless done), the version
// in force and the draft, its review state and the acknowledgements of the
// version in force as the viewer sees them.
func (s *Service) fill(ctx context.Context, q db.Queryer, viewer *aims.Actor, rows []*row, addresses bool) error {
	if len(rows) == 0 {
		return nil
	}
	if addresses {
		if err := s.fillAddresses(ctx, q, viewer.OrgID, rows); err != nil {
			return err
		}
	}
	today := s.today()
	args, by := idArgs(rows)
	rs, err := q.QueryContext(ctx, selectVersion+` JOIN documents d ON d.id = v.document_id
		WHERE v.document_id IN `+in(len(args))+` AND (v.status = 'draft' OR v.number = d.current_number)`, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var docID string
		v, err := scanVersion(rs.Scan, &docID)
		if err != nil {
			return err
		}
		r := by[docID]
		if v.Status == VersionDraft {
			r.Draft = v
		} else {
			v.InForce = true
			r.Current = v
		}
	}
	if err := rs.Err(); err != nil {
		return err
	}
	for _, r := range rows {
		r.ReviewState = reviewState(r.Status, r.NextReviewOn, today)
	}
	return s.fillCounts(ctx, q, viewer, rows)
}

// fillCounts counts who the version in force of each document is
// distributed to and who of them acknowledged it, by their present role.
func (s *Service) fillCounts(ctx context.Context, q db.Queryer, viewer *aims.Actor, rows []*row) error {
	var current []*row
	for _, r := range rows {
		if r.current > 0 {
			current = append(current, r)
		}
	}
	if len(current) == 0 {
		return nil
	}
	members := map[string]int{}
	rs, err := q.QueryContext(ctx, `SELECT role, count(*) FROM memberships WHERE org_id = ? GROUP BY role`, viewer.OrgID)
	if err != nil {
		return err
	}
	for rs.Next() {
		var role string
		var n int
		if err := rs.Scan(&role, &n); err != nil {
			rs.Close()
			return err
		}
		members[role] = n
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	args, _ := idArgs(current)
	acked := map[string]map[string]int{}
	rs, err = q.QueryContext(ctx, `SELECT a.document_id, m.role, count(*) FROM document_acknowledgements a
		JOIN documents d ON d.id = a.document_id AND a.number = d.current_number
		JOIN memberships m ON m.org_id = a.org_id AND m.user_id = a.user_id
		WHERE a.document_id IN `+in(len(args))+` GROUP BY a.document_id, m.role`, args...)
	if err != nil {
		return err
	}
	for rs.Next() {
		var docID, role string
		var n int
		if err := rs.Scan(&docID, &role, &n); err != nil {
			rs.Close()
			return err
		}
		if acked[docID] == nil {
			acked[docID] = map[string]int{}
		}
		acked[docID][role] = n
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	for _, r := range current {
		for role, n := range members {
			if distributedTo(r.Distribution, role) {
				r.Required += n
				r.Acknowledged += acked[r.ID][role]
			}
		}
	}
	if viewer.UserID == "" {
		return nil
	}
	mine := map[string]bool{}
	rs, err = q.QueryContext(ctx, `SELECT a.document_id FROM document_acknowledgements a
		JOIN documents d ON d.id = a.document_id AND a.number = d.current_number
		WHERE a.user_id = ? AND a.document_id IN `+in(len(args)), append([]any{viewer.UserID}, args...)...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var docID string
		if err := rs.Scan(&docID); err != nil {
			return err
		}
		mine[docID] = true
	}
	if err := rs.Err(); err != nil {
		return err
	}
	for _, r := range current {
		if r.Status == StatusActive && distributedTo(r.Distribution, string(viewer.Role)) {
			v := mine[r.ID]
			r.AcknowledgedByMe = &v
		}
	}
	return nil
}

// versionID returns the id of a document's version, with its status.
func versionID(ctx context.Context, q db.Queryer, docID string, number int) (id, status string, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, status FROM document_versions WHERE document_id = ? AND number = ?`, docID, number).Scan(&id, &status)
	return id, status, err
}

// memberRole returns the role of a member of an organisation, or "" when the person is not one.
func memberRole(ctx context.Context, q db.Queryer, orgID, userID string) (string, error) {
	var role string
	err := q.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID).Scan(&role)
	if db.IsNoRows(err) {
		return "", nil
	}
	return role, err
}
