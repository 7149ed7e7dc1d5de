package concern

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Concern is a reported concern as its handlers see it.
type Concern struct {
	ID          string `json:"id"`
	Ref         string `json:"ref" doc:"Such as CON-3."`
	Channel     string `json:"channel" enum:"member,anonymous,public" doc:"member: a named member; anonymous: a member who chose not to be named; public: through the public link."`
	Reporter    string `json:"reporter" doc:"The named member's email; empty for anonymous and public reports."`
	Category    string `json:"category"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
	// Systems are the AI systems concerned.
	Systems    []SystemInfo `json:"systems"`
	Status     string       `json:"status" enum:"received,under_review,answered,closed"`
	Answer     string       `json:"answer" doc:"What the reporter reads through the private link."`
	AnsweredAt *time.Time   `json:"answered_at"`
	ReportedAt time.Time    `json:"reported_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	Version    int          `json:"version" doc:"Increases with every change; send it back when changing the concern."`
	Messages   []Message    `json:"messages" doc:"The reporter's follow-ups and the handlers' internal notes, oldest first."`
}

// stored is a concern with what only the service needs.
type stored struct {
	Concern
	orgID string
}

const selectConcern = `SELECT c.id, c.org_id, c.ref, c.channel, COALESCE(u.email, ''), c.category, c.summary, c.description,
	c.systems, c.status, c.answer, c.answered_at, c.created_at, c.updated_at, c.version
	FROM concerns c LEFT JOIN users u ON u.id = c.reporter_id`

func scanConcern(scan func(...any) error) (*stored, []string, error) {
	var c stored
	var systems string
	if err := scan(&c.ID, &c.orgID, &c.Ref, &c.Channel, &c.Reporter, &c.Category, &c.Summary, &c.Description, &systems,
		&c.Status, &c.Answer, &c.AnsweredAt, &c.ReportedAt, &c.UpdatedAt, &c.Version); err != nil {
		return nil, nil, err
	}
	c.ReportedAt, c.UpdatedAt = c.ReportedAt.UTC(), c.UpdatedAt.UTC()
	if c.AnsweredAt != nil {
		t := c.AnsweredAt.UTC()
		c.AnsweredAt = &t
	}
	ids, err := decodeSystems(systems)
	return &c, ids, err
}

// get reads a concern of an organisation by id or reference, with its messages.
func (s *Service) get(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*stored, error) {
	col, key := "c.ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "c.id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	c, ids, err := scanConcern(q.QueryRowContext(ctx, selectConcern+` WHERE c.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("concern", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	if c.Systems, err = s.systems(ctx, orgID, ids); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT m.number, m.kind, m.body, COALESCE(u.email, ''), m.created_at
		FROM concern_messages m LEFT JOIN users u ON u.id = m.author_id WHERE m.concern_id = ? ORDER BY m.number`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c.Messages = []Message{}
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.Number, &m.Kind, &m.Body, &m.Author, &m.At); err != nil {
			return nil, err
		}
		m.At = m.At.UTC()
		c.Messages = append(c.Messages, m)
	}
	return c, rows.Err()
}

// systems names the systems with the ids; one that no longer resolves is shown by its id.
func (s *Service) systems(ctx context.Context, orgID string, ids []string) ([]SystemInfo, error) {
	out := []SystemInfo{}
	for _, id := range ids {
		sys, err := s.sources.System(ctx, orgID, id)
		if aims.CodeOf(err) == aims.CodeNotFound {
			sys, err = &SystemInfo{ID: id, Ref: id, Name: "(unknown system)"}, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *sys)
	}
	return out, nil
}

// Get returns a concern with its messages, to those who handle concerns only.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Concern, error) {
	if err := identity.Authorize(actor, identity.ActConcernHandle); err != nil {
		return nil, err
	}
	c, err := s.get(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &c.Concern, nil
}

// Query filters the list of concerns.
type Query struct {
	Status   string `query:"status" enum:"open,received,under_review,answered,closed,all" default:"open" doc:"open: received or under review."`
	Category string `query:"category" enum:"harm,bias,privacy,safety,misuse,legal,transparency,other"`
}

// List returns the organisation's concerns, newest first, to those who handle concerns only; without their messages.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q Query) ([]Concern, error) {
	if err := identity.Authorize(actor, identity.ActConcernHandle); err != nil {
		return nil, err
	}
	var p aims.Problems
	if q.Status == "" {
		q.Status = "open"
	}
	if q.Status != "open" && q.Status != "all" && !allowed(Statuses, q.Status) {
		p.Add("status", "must be open, all or one of %s", values(Statuses))
	}
	if q.Category != "" && !allowed(Categories, q.Category) {
		p.Add("category", "must be one of %s", values(Categories))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	where, args := []string{"c.org_id = ?"}, []any{actor.OrgID}
	switch q.Status {
	case "all":
	case "open":
		where = append(where, "c.status IN ('received', 'under_review')")
	default:
		where = append(where, "c.status = ?")
		args = append(args, q.Status)
	}
	if q.Category != "" {
		where = append(where, "c.category = ?")
		args = append(args, q.Category)
	}
	rows, err := s.db.QueryContext(ctx, selectConcern+` WHERE `+strings.Join(where, " AND ")+` ORDER BY c.created_at DESC, c.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	type row struct {
		c   *stored
		ids []string
	}
	var raw []row
	for rows.Next() {
		c, ids, err := scanConcern(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		raw = append(raw, row{c, ids})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Concern{}
	for _, r := range raw {
		if r.c.Systems, err = s.systems(ctx, actor.OrgID, r.ids); err != nil {
			return nil, err
		}
		out = append(out, r.c.Concern)
	}
	return out, nil
}

// UpdateRequest changes the fields it names, if the concern has not changed since the version it is based on.
type UpdateRequest struct {
	Version  int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Status   *string   `json:"status,omitempty" enum:"received,under_review,answered,closed"`
	Category *string   `json:"category,omitempty" enum:"harm,bias,privacy,safety,misuse,legal,transparency,other"`
	Systems  *[]string `json:"systems,omitempty" maxItems:"20" doc:"Replaces the AI systems concerned (SYS-3)."`
	Answer   *string   `json:"answer,omitempty" maxLength:"10000" doc:"What the reporter reads through the private link. Giving one to a concern still open marks it answered unless status says otherwise."`
}

// auditConcern is what the audit log records of a concern: no texts, only their digests.
type auditConcern struct {
	Status   string   `json:"status"`
	Category string   `json:"category"`
	Systems  []string `json:"systems"`
	Answer   string   `json:"answer_sha256"`
}

// Update sets a concern's status, category, systems and answer.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*Concern, error) {
	if err := identity.Authorize(actor, identity.ActConcernHandle); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		c, err := s.get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = c.ID
		refs := make([]string, len(c.Systems))
		for i, sys := range c.Systems {
			refs[i] = sys.ID
		}
		before := auditConcern{Status: c.Status, Category: c.Category, Systems: refs, Answer: textDigest(c.Answer)}
		after, answer := before, c.Answer
		var p aims.Problems
		if req.Status != nil {
			after.Status = strings.TrimSpace(*req.Status)
			if !allowed(Statuses, after.Status) {
				p.Add("status", "must be one of %s", values(Statuses))
			}
		}
		if req.Category != nil {
			after.Category = strings.TrimSpace(*req.Category)
			if !allowed(Categories, after.Category) {
				p.Add("category", "must be one of %s", values(Categories))
			}
		}
		if req.Systems != nil {
			if after.Systems, err = s.resolveSystems(ctx, actor.OrgID, *req.Systems, &p); err != nil {
				return err
			}
		}
		if req.Answer != nil {
			answer = *req.Answer
			text(&p, "answer", &answer, false, maxText)
			after.Answer = textDigest(answer)
			if answer != "" && req.Status == nil && (c.Status == StatusReceived || c.Status == StatusUnderReview) {
				after.Status = StatusAnswered
			}
		}
		if after.Status == StatusAnswered && answer == "" && !p.Has("answer") {
			p.Add("answer", "is required to mark the concern answered: write what the reporter will read")
		}
		if err := p.Err(); err != nil {
			return err
		}
		if req.Version != c.Version {
			return staleVersion(c.Ref, c.Version, req.Version)
		}
		ch, err := tlog.Changes(before, after)
		if err != nil || len(ch) == 0 {
			return err
		}
		now := s.clock()
		answeredAt := c.AnsweredAt
		if after.Answer != before.Answer {
			answeredAt = nil
			if answer != "" {
				answeredAt = &now
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE concerns SET status = ?, category = ?, systems = ?, answer = ?, answered_at = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Status, after.Category, string(mustJSON(after.Systems)), answer, answeredAt, now, c.ID, actor.OrgID, c.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(c.Ref, c.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectConcern, ID: c.ID, Ref: c.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update concern %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}

// NoteRequest is an internal note on a concern, never shown to the reporter.
type NoteRequest struct {
	Body string `json:"body" minLength:"1" maxLength:"10000"`
}

// AddNote adds an internal note to a concern.
func (s *Service) AddNote(ctx context.Context, actor *aims.Actor, idOrRef string, req NoteRequest) (*Concern, error) {
	if err := identity.Authorize(actor, identity.ActConcernHandle); err != nil {
		return nil, err
	}
	var p aims.Problems
	text(&p, "body", &req.Body, true, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		c, err := s.get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = c.ID
		var author any
		if actor.UserID != "" {
			author = actor.UserID
		}
		n, err := s.addMessage(ctx, tx, c, kindNote, req.Body, author)
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionNote, tlog.EventObject{Type: ObjectConcern, ID: c.ID, Ref: c.Ref},
			[]tlog.Change{{Field: "message", After: mustJSON(n)}, {Field: "content_sha256", After: mustJSON(textDigest(req.Body))}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot add a note to concern %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}

// History returns the audit events about a concern, newest first, to those who handle concerns only.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	c, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectConcern, ObjectID: c.ID, Limit: 500})
}
