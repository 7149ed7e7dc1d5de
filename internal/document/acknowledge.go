package document

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Acknowledgement is one person's acknowledgement of a version.
type Acknowledgement struct {
	DocumentRef    string    `json:"document_ref"`
	Number         int       `json:"number"`
	UserID         string    `json:"user_id"`
	Role           string    `json:"role" doc:"The person's role when they acknowledged."`
	AcknowledgedAt time.Time `json:"acknowledged_at"`
}

// Readers says who a version is distributed to and who has acknowledged it.
type Readers struct {
	DocumentRef  string       `json:"document_ref"`
	Number       int          `json:"number"`
	InForce      bool         `json:"in_force" doc:"Whether the version is the one in force; only that one is acknowledged."`
	ApprovedAt   *time.Time   `json:"approved_at"`
	Distribution []string     `json:"distribution"`
	Required     int          `json:"required" doc:"How many present members it is distributed to."`
	Acknowledged int          `json:"acknowledged" doc:"How many of them acknowledged it."`
	People       []ReaderInfo `json:"people" doc:"Those it is distributed to, those who have not acknowledged first, then anyone else who acknowledged it."`
}

// ReaderInfo is one person and their acknowledgement of a version.
type ReaderInfo struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role" doc:"The person's present role; empty when they are no longer a member."`
	// Distributed tells whether the version is distributed to the person's present role.
	Distributed    bool       `json:"distributed"`
	AcknowledgedAt *time.Time `json:"acknowledged_at" doc:"When they acknowledged the version; null when they have not."`
	// Earlier is the latest earlier version they acknowledged, 0 when none.
	Earlier int `json:"earlier" doc:"The latest earlier version they acknowledged; 0 when none."`
}

// ToRead is a version in force that a person has still to acknowledge.
type ToRead struct {
	DocumentRef string    `json:"document_ref"`
	Title       string    `json:"title"`
	Kind        string    `json:"kind"`
	Number      int       `json:"number"`
	ChangeNote  string    `json:"change_note"`
	ApprovedAt  time.Time `json:"approved_at"`
	// Earlier is the latest earlier version the person acknowledged, 0 when none.
	Earlier int `json:"earlier" doc:"The latest earlier version you acknowledged; 0 when none."`
}

// Acknowledge records that the actor has read and understood the version in
// force of a document distributed to them, once per version. The request
// names the version read, so that a version approved in the meantime is not
// acknowledged unread.
func (s *Service) Acknowledge(ctx context.Context, actor *aims.Actor, idOrRef string, req AcknowledgeRequest) (*Acknowledgement, error) {
	if err := identity.Authorize(actor, identity.ActAcknowledge); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden, "only a person can acknowledge having read a document (document.acknowledge)")
	}
	var ack *Acknowledgement
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.getRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		switch {
		case r.Status == StatusArchived:
			return aims.Errorf(aims.CodeConflict, "%s is withdrawn: it needs no acknowledgement", r.Ref)
		case r.current == 0:
			return aims.Errorf(aims.CodeConflict, "%s has no approved version to acknowledge yet", r.Ref)
		case req.Number != r.current:
			return &aims.Error{Code: aims.CodeConflict,
				Message: fmt.Sprintf("version %d of %s is in force, not version %d: read it, then acknowledge it", r.current, r.Ref, req.Number),
				Fields:  []aims.FieldError{{Field: "number", Message: fmt.Sprintf("must be %d, the version in force", r.current)}}}
		}
		role, err := memberRole(ctx, tx, actor.OrgID, actor.UserID)
		if err != nil {
			return err
		}
		if !distributedTo(r.Distribution, role) {
			return aims.Errorf(aims.CodeForbidden, "%s is distributed to %s, not to %ss: you need not acknowledge it (document.acknowledge)",
				r.Ref, DistributionLabel(r.Distribution), role)
		}
		vid, _, err := versionID(ctx, tx, r.ID, r.current)
		if err != nil {
			return err
		}
		var at time.Time
		err = tx.QueryRowContext(ctx, `SELECT acknowledged_at FROM document_acknowledgements WHERE version_id = ? AND user_id = ?`,
			vid, actor.UserID).Scan(&at)
		if err == nil {
			return aims.Errorf(aims.CodeConflict, "you acknowledged %s already, on %s", versionRef(r.Ref, r.current), at.UTC().Format(DateLayout))
		}
		if !db.IsNoRows(err) {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_acknowledgements (org_id, document_id, version_id, number, user_id, role, acknowledged_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, actor.OrgID, r.ID, vid, r.current, actor.UserID, role, now); err != nil {
			if db.IsUniqueViolation(err) {
				return aims.Errorf(aims.CodeConflict, "you acknowledged %s already", versionRef(r.Ref, r.current))
			}
			return err
		}
		ack = &Acknowledgement{DocumentRef: r.Ref, Number: r.current, UserID: actor.UserID, Role: role, AcknowledgedAt: now}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionAcknowledge,
			tlog.EventObject{Type: ObjectAcknowledgement, ID: r.ID, Ref: versionRef(r.Ref, r.current)},
			[]tlog.Change{{Field: "user_id", Before: mustJSON(nil), After: mustJSON(actor.UserID)},
				{Field: "number", Before: mustJSON(nil), After: mustJSON(r.current)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot acknowledge %s: %w", idOrRef, err)
	}
	return ack, nil
}

// Readers says who a version of a document (the one in force when number
// is 0) is distributed to and who has acknowledged it, with dates.
func (s *Service) Readers(ctx context.Context, actor *aims.Actor, idOrRef string, number int) (*Readers, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := s.getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if number == 0 {
		number = r.current
	}
	if number == 0 {
		return nil, aims.Errorf(aims.CodeNotFound, "%s has no approved version yet", r.Ref)
	}
	vid, status, err := versionID(ctx, s.db, r.ID, number)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("version", versionRef(r.Ref, number))
	}
	if err != nil {
		return nil, err
	}
	if status != VersionApproved {
		return nil, aims.Errorf(aims.CodeNotFound, "%s is a draft: only approved versions are acknowledged", versionRef(r.Ref, number))
	}
	out := &Readers{DocumentRef: r.Ref, Number: number, InForce: number == r.current, Distribution: r.Distribution, People: []ReaderInfo{}}
	if err := s.db.QueryRowContext(ctx, `SELECT approved_at FROM document_versions WHERE id = ?`, vid).Scan(&out.ApprovedAt); err != nil {
		return nil, err
	}
	// Every member, and anyone else who acknowledged the version.
	rs, err := s.db.QueryContext(ctx, `SELECT u.id, u.name, u.email, COALESCE(m.role, ''), a.acknowledged_at,
		(SELECT COALESCE(max(e.number), 0) FROM document_acknowledgements e WHERE e.document_id = ? AND e.user_id = u.id AND e.number < ?)
		FROM users u
		LEFT JOIN memberships m ON m.user_id = u.id AND m.org_id = ?
		LEFT JOIN document_acknowledgements a ON a.user_id = u.id AND a.version_id = ?
		WHERE u.id IN (SELECT user_id FROM memberships WHERE org_id = ? UNION SELECT user_id FROM document_acknowledgements WHERE version_id = ?)`,
		r.ID, number, actor.OrgID, vid, actor.OrgID, vid)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var p ReaderInfo
		if err := rs.Scan(&p.UserID, &p.Name, &p.Email, &p.Role, &p.AcknowledgedAt, &p.Earlier); err != nil {
			return nil, err
		}
		p.Distributed = p.Role != "" && distributedTo(r.Distribution, p.Role)
		if !p.Distributed && p.AcknowledgedAt == nil {
			continue
		}
		if p.Distributed {
			out.Required++
			if p.AcknowledgedAt != nil {
				out.Acknowledged++
			}
		}
		out.People = append(out.People, p)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out.People, func(i, j int) bool {
		a, b := out.People[i], out.People[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Email < b.Email
	})
	return out, nil
}

// rank orders readers: those still to acknowledge, those who did, then the others.
func rank(p ReaderInfo) int {
	switch {
	case p.Distributed && p.AcknowledgedAt == nil:
		return 0
	case p.Distributed:
		return 1
	}
	return 2
}

// ToRead lists the versions in force of active documents distributed to
// the actor that they have not acknowledged, the longest waiting first.
func (s *Service) ToRead(ctx context.Context, actor *aims.Actor) ([]ToRead, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	out := []ToRead{}
	if actor.UserID == "" {
		return out, nil
	}
	role, err := memberRole(ctx, s.db, actor.OrgID, actor.UserID)
	if err != nil || role == "" {
		return out, err
	}
	items, err := s.pending(ctx, actor.OrgID, actor.UserID)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if distributedTo(it.distribution, role) {
			out = append(out, it.ToRead)
		}
	}
	return out, nil
}

// pendingItem is a version in force not acknowledged by someone.
type pendingItem struct {
	ToRead
	docID, userID string
	distribution  []string
	role          string
}

// pending lists, for every member of the organisation (or only userID when
// given), the versions in force of active documents they have not
// acknowledged, whether or not distributed to them, oldest approval first.
func (s *Service) pending(ctx context.Context, orgID, userID string) ([]pendingItem, error) {
	q := `SELECT d.id, d.ref, d.title, d.kind, d.distribution, v.number, v.change_note, v.approved_at, m.user_id, m.role,
		(SELECT COALESCE(max(e.number), 0) FROM document_acknowledgements e WHERE e.document_id = d.id AND e.user_id = m.user_id)
		FROM documents d
		JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_number
		JOIN memberships m ON m.org_id = d.org_id
		WHERE d.org_id = ? AND d.status = 'active' AND d.current_number > 0
		AND NOT EXISTS (SELECT 1 FROM document_acknowledgements a WHERE a.version_id = v.id AND a.user_id = m.user_id)`
	args := []any{orgID}
	if userID != "" {
		q += ` AND m.user_id = ?`
		args = append(args, userID)
	}
	rs, err := s.db.QueryContext(ctx, q+` ORDER BY v.approved_at, d.ref, m.user_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []pendingItem
	for rs.Next() {
		var it pendingItem
		var dist string
		if err := rs.Scan(&it.docID, &it.DocumentRef, &it.Title, &it.Kind, &dist, &it.Number, &it.ChangeNote, &it.ApprovedAt,
			&it.userID, &it.role, &it.Earlier); err != nil {
			return nil, err
		}
		it.distribution = decodeDistribution(dist)
		out = append(out, it)
	}
	return out, rs.Err()
}
