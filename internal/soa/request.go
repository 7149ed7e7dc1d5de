package soa

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// ScopeRequest changes the scope of the draft.
type ScopeRequest struct {
	Scope   string `json:"scope" doc:"The scope of the AI management system the Statement covers, at most 4000 characters."`
	Version int    `json:"version" minimum:"0" doc:"The scope_version this change is based on; 0 for the first scope."`
}

// EntryRequest decides on a control, for the organisation or for one AI
// system. Every field is set as sent; the service names every bad field.
type EntryRequest struct {
	Applicable    *bool  `json:"applicable,omitempty" doc:"Whether the control applies; required."`
	Justification string `json:"justification,omitempty" doc:"Why the control is included or excluded; required both ways, at most 4000 characters."`
	Status        string `json:"status,omitempty" doc:"Implementation status, required when the control applies and empty when it does not: not_started, planned, partially_implemented or implemented."`
	OwnerID       string `json:"owner_id,omitempty" doc:"User id of the person responsible, a member of the organisation."`
	TargetDate    string `json:"target_date,omitempty" doc:"Date by which the control is to be implemented, YYYY-MM-DD."`
	Version       int    `json:"version" minimum:"0" doc:"The version of the decision this change is based on; 0 to make a new one."`
}

// ApproveRequest approves the draft as the next version.
type ApproveRequest struct {
	Note string `json:"note,omitempty" doc:"The approver's note, at most 4000 characters."`
}

// checkText trims a text and records what is wrong with it.
func checkText(p *aims.Problems, field string, v *string, required bool) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > maxText:
		p.Add(field, "must be at most %d characters", maxText)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	case !utf8.ValidString(*v):
		p.Add(field, "must be UTF-8 text")
	}
}

// decision checks an entry request and returns it as a decision, with
// every problem recorded. A new owner must be a member of the organisation;
// keptOwner, the stored decision's owner, may stay after leaving it, so
// that a former member does not block other changes.
func (r *EntryRequest) decision(ctx context.Context, q db.Queryer, orgID, keptOwner string, p *aims.Problems) (Decision, error) {
	d := Decision{Justification: r.Justification, Status: strings.TrimSpace(r.Status),
		OwnerID: strings.ToLower(strings.TrimSpace(r.OwnerID)), TargetDate: strings.TrimSpace(r.TargetDate)}
	if r.Applicable == nil {
		p.Add("applicable", "is required: say whether the control applies")
	} else {
		d.Applicable = *r.Applicable
	}
	checkText(p, "justification", &d.Justification, true)
	switch {
	case r.Applicable == nil:
	case d.Applicable && d.Status == "":
		p.Add("status", "is required when the control applies")
	case d.Applicable && !validStatus(d.Status):
		p.Add("status", "must be one of %s", statusValues())
	case !d.Applicable && d.Status != "":
		p.Add("status", "must be empty when the control does not apply")
	}
	if d.OwnerID != "" && d.OwnerID != keptOwner {
		if !aims.ValidID(d.OwnerID) {
			p.Add("owner_id", "is not a user id")
		} else if ok, err := isMember(ctx, q, orgID, d.OwnerID); err != nil {
			return d, err
		} else if !ok {
			p.Add("owner_id", "is not a member of this organisation")
		}
	}
	if d.TargetDate != "" {
		if t, err := time.Parse(time.DateOnly, d.TargetDate); err != nil || t.Format(time.DateOnly) != d.TargetDate {
			p.Add("target_date", "must be a date written YYYY-MM-DD")
		}
	}
	if r.Version < 0 {
		p.Add("version", "must be 0 or more")
	}
	return d, nil
}

func validStatus(v string) bool {
	for _, o := range Statuses {
		if o.Value == v {
			return true
		}
	}
	return false
}

func statusValues() string {
	vs := make([]string, len(Statuses))
	for i, o := range Statuses {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// staleVersion refuses a change based on an outdated version.
func staleVersion(what string, current, sent int) error {
	msg := fmt.Sprintf("someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again",
		what, sent, current)
	if current == 0 {
		msg = fmt.Sprintf("%s does not exist (any more), so version %d cannot be changed: reload and send version 0 to make it", what, sent)
	} else if sent == 0 {
		msg = fmt.Sprintf("%s was set by someone else since you loaded it (it is now at version %d): reload and apply your change again", what, current)
	}
	return &aims.Error{Code: aims.CodeConflict, Message: msg,
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

func itoa(n int) string { return strconv.Itoa(n) }

// isMember reports whether a user is a member of an organisation.
func isMember(ctx context.Context, q db.Queryer, orgID, userID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID).Scan(&n)
	return n > 0, err
}
