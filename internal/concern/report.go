package concern

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ReportRequest is a concern as its reporter describes it.
type ReportRequest struct {
	Category    string   `json:"category" enum:"harm,bias,privacy,safety,misuse,legal,transparency,other" doc:"What kind of concern it is."`
	Summary     string   `json:"summary" minLength:"1" maxLength:"200" doc:"The concern in a line."`
	Description string   `json:"description" minLength:"1" maxLength:"10000" doc:"What happened or what you fear, with what would help to look into it."`
	Systems     []string `json:"systems,omitempty" maxItems:"20" doc:"The AI systems concerned (SYS-3), if known; members only."`
	Anonymous   bool     `json:"anonymous,omitempty" doc:"Report without being named: no trace of who reported is stored."`
}

// Receipt is what the reporter gets once: the concern's reference and the private link's secret.
type Receipt struct {
	Ref    string `json:"ref"`
	Secret string `json:"secret" doc:"The private link's secret; it is shown only now. Open /concerns/receipt/{secret} to read the answer."`
	Path   string `json:"path" doc:"The private link's path, /concerns/receipt/{secret}."`
}

// ReceiptPath is the path of a private link.
func ReceiptPath(secret string) string { return "/concerns/receipt/" + secret }

// checkReport checks a report and returns the ids of the AI systems it names; public reports cannot name any.
func (s *Service) checkReport(ctx context.Context, orgID string, req *ReportRequest, public bool, p *aims.Problems) ([]string, error) {
	req.Category = strings.TrimSpace(req.Category)
	if !allowed(Categories, req.Category) {
		p.Add("category", "must be one of %s", values(Categories))
	}
	text(p, "summary", &req.Summary, true, maxSummary)
	text(p, "description", &req.Description, true, maxText)
	if public && len(req.Systems) > 0 {
		p.Add("systems", "cannot be named in a public report: describe the system in the description")
		return nil, nil
	}
	return s.resolveSystems(ctx, orgID, req.Systems, p)
}

// resolveSystems turns references into the ids of the organisation's AI systems.
func (s *Service) resolveSystems(ctx context.Context, orgID string, refs []string, p *aims.Problems) ([]string, error) {
	ids := []string{}
	seen := map[string]bool{}
	for _, ref := range refs {
		if ref = strings.TrimSpace(ref); ref == "" {
			continue
		}
		sys, err := s.sources.System(ctx, orgID, ref)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("systems", "names %s, which is not an AI system of this organisation", ref)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[sys.ID] {
			seen[sys.ID] = true
			ids = append(ids, sys.ID)
		}
	}
	if len(ids) > maxSystems {
		p.Add("systems", "must list at most %d", maxSystems)
	}
	return ids, nil
}

// Report records a concern from a member. Reported anonymously, it keeps
// no trace of the member: no reporter in the row and an anonymous actor in
// the audit event.
func (s *Service) Report(ctx context.Context, actor *aims.Actor, req ReportRequest) (*Receipt, error) {
	if err := identity.Authorize(actor, identity.ActConcernReport); err != nil {
		return nil, err
	}
	var p aims.Problems
	systems, err := s.checkReport(ctx, actor.OrgID, &req, false, &p)
	if err != nil {
		return nil, fmt.Errorf("cannot record the concern: %w", err)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	channel, reporter, who := ChannelMember, any(actor.UserID), tlog.ActorOf(actor)
	if req.Anonymous || actor.UserID == "" {
		channel, reporter, who = ChannelAnonymous, nil, reporterActor(ChannelAnonymous)
	}
	return s.insert(ctx, actor.OrgID, channel, reporter, who, req, systems)
}

// ReportPublic records a concern from anyone, through the organisation's
// public link while public reporting is on. It is stored as anonymous.
func (s *Service) ReportPublic(ctx context.Context, linkSecret string, req ReportRequest) (*Receipt, error) {
	info, err := s.PublicPage(ctx, linkSecret)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	if _, err := s.checkReport(ctx, info.orgID, &req, true, &p); err != nil {
		return nil, fmt.Errorf("cannot record the concern: %w", err)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var recent int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM concerns WHERE org_id = ? AND channel = ? AND created_at > ?`,
		info.orgID, ChannelPublic, s.clock().Add(-publicWindow)).Scan(&recent); err != nil {
		return nil, err
	}
	if recent >= publicLimit {
		return nil, &aims.Error{Code: aims.CodeTooMany, RetryAfterSeconds: int(publicWindow.Seconds()),
			Message: "this organisation has received many reports in the last hour: please try again later"}
	}
	return s.insert(ctx, info.orgID, ChannelPublic, nil, reporterActor(ChannelPublic), req, []string{})
}

// insert stores a checked concern with its audit event.
func (s *Service) insert(ctx context.Context, orgID, channel string, reporter any, who tlog.EventActor, req ReportRequest, systems []string) (*Receipt, error) {
	secret, digest := newSecret()
	var rc Receipt
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, orgID, refPrefix)
		if err != nil {
			return err
		}
		now, id := s.clock(), aims.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO concerns (id, org_id, ref, channel, reporter_id, category, summary,
			description, systems, status, answer, answered_at, receipt_hash, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL, ?, 1, ?, ?)`,
			id, orgID, ref, channel, reporter, req.Category, req.Summary, req.Description, string(mustJSON(systems)),
			StatusReceived, digest, now, now); err != nil {
			return err
		}
		rc = Receipt{Ref: ref, Secret: secret, Path: ReceiptPath(secret)}
		return s.record(ctx, tx, orgID, who, ActionReport, tlog.EventObject{Type: ObjectConcern, ID: id, Ref: ref}, []tlog.Change{
			{Field: "channel", After: mustJSON(channel)},
			{Field: "category", After: mustJSON(req.Category)},
			{Field: "status", After: mustJSON(StatusReceived)},
			{Field: "content_sha256", After: mustJSON(textDigest(req.Summary + "\n" + req.Description))},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record the concern: %w", err)
	}
	return &rc, nil
}

// Message is a reporter's follow-up or a handler's internal note.
type Message struct {
	Number int       `json:"number"`
	Kind   string    `json:"kind" enum:"follow_up,note" doc:"follow_up: from the reporter; note: internal, never shown to the reporter."`
	Body   string    `json:"body"`
	Author string    `json:"author" doc:"The handler who wrote a note; empty for the reporter's follow-ups."`
	At     time.Time `json:"at"`
}

// ReceiptView is what the reporter reads through the private link.
type ReceiptView struct {
	Ref          string     `json:"ref"`
	Organisation string     `json:"organisation"`
	Category     string     `json:"category"`
	Summary      string     `json:"summary"`
	Description  string     `json:"description"`
	Status       string     `json:"status"`
	Answer       string     `json:"answer"`
	AnsweredAt   *time.Time `json:"answered_at"`
	ReportedAt   time.Time  `json:"reported_at"`
	FollowUps    []Message  `json:"follow_ups"`
}

// maxFollowUps limits how many follow-ups a reporter can add to one concern.
const maxFollowUps = 50

// ByReceipt returns the concern a private link opens, as its reporter sees it: without internal notes.
func (s *Service) ByReceipt(ctx context.Context, secret string) (*ReceiptView, error) {
	c, err := s.byReceipt(ctx, s.db, secret)
	if err != nil {
		return nil, err
	}
	name, err := s.sources.OrgName(ctx, c.orgID)
	if err != nil {
		return nil, err
	}
	v := &ReceiptView{Ref: c.Ref, Organisation: name, Category: c.Category, Summary: c.Summary, Description: c.Description,
		Status: c.Status, Answer: c.Answer, AnsweredAt: c.AnsweredAt, ReportedAt: c.ReportedAt, FollowUps: []Message{}}
	for _, m := range c.Messages {
		if m.Kind == kindFollowUp {
			v.FollowUps = append(v.FollowUps, m)
		}
	}
	return v, nil
}

// byReceipt finds a concern by its private link; an unknown link answers not found.
func (s *Service) byReceipt(ctx context.Context, q db.Queryer, secret string) (*stored, error) {
	if !wellFormed(secret) {
		return nil, aims.NotFound("concern", "for this link")
	}
	var orgID, id string
	err := q.QueryRowContext(ctx, `SELECT org_id, id FROM concerns WHERE receipt_hash = ?`, digestOf(secret)).Scan(&orgID, &id)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("concern", "for this link")
	}
	if err != nil {
		return nil, err
	}
	return s.get(ctx, q, orgID, id)
}

// FollowUpRequest is a message the reporter adds through the private link.
type FollowUpRequest struct {
	Body string `json:"body" minLength:"1" maxLength:"10000" doc:"What you want to add."`
}

// FollowUp adds the reporter's message to the concern a private link opens;
// an answered concern goes back under review. A closed concern takes no more messages.
func (s *Service) FollowUp(ctx context.Context, secret string, req FollowUpRequest) error {
	var p aims.Problems
	text(&p, "body", &req.Body, true, maxText)
	if err := p.Err(); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		c, err := s.byReceipt(ctx, tx, secret)
		if err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return aims.Errorf(aims.CodeConflict, "%s is closed: report a new concern instead", c.Ref)
		}
		followUps := 0
		for _, m := range c.Messages {
			if m.Kind == kindFollowUp {
				followUps++
			}
		}
		if followUps >= maxFollowUps {
			return aims.Errorf(aims.CodeConflict, "%s has too many messages: report a new concern instead", c.Ref)
		}
		n, err := s.addMessage(ctx, tx, c, kindFollowUp, req.Body, nil)
		if err != nil {
			return err
		}
		ch := []tlog.Change{{Field: "message", After: mustJSON(n)}, {Field: "content_sha256", After: mustJSON(textDigest(req.Body))}}
		if c.Status == StatusAnswered {
			if _, err := tx.ExecContext(ctx, `UPDATE concerns SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				StatusUnderReview, s.clock(), c.ID); err != nil {
				return err
			}
			ch = append(ch, tlog.Change{Field: "status", Before: mustJSON(c.Status), After: mustJSON(StatusUnderReview)})
		}
		who := reporterActor(c.Channel)
		if c.Channel == ChannelMember {
			who = tlog.EventActor{Kind: "anonymous", Label: "reporter, through the private link"}
		}
		return s.record(ctx, tx, c.orgID, who, ActionFollowUp, tlog.EventObject{Type: ObjectConcern, ID: c.ID, Ref: c.Ref}, ch)
	})
	if err != nil {
		return fmt.Errorf("cannot add the message: %w", err)
	}
	return nil
}

// Kinds of message.
const (
	kindFollowUp = "follow_up"
	kindNote     = "note"
)

// addMessage appends a message to a concern and returns its number.
func (s *Service) addMessage(ctx context.Context, tx *db.Tx, c *stored, kind, body string, author any) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(number), 0) + 1 FROM concern_messages WHERE concern_id = ?`, c.ID).Scan(&n); err != nil {
		return 0, err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO concern_messages (id, org_id, concern_id, number, kind, body, author_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, aims.NewID(), c.orgID, c.ID, n, kind, body, author, s.clock())
	if db.IsUniqueViolation(err) {
		return 0, aims.Errorf(aims.CodeConflict, "another message was added to %s at the same time: send yours again", c.Ref)
	}
	return n, err
}

// decodeSystems reads the stored list of system ids.
func decodeSystems(raw string) ([]string, error) {
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, fmt.Errorf("cannot read a concern's systems: %w", err)
	}
	return ids, nil
}
