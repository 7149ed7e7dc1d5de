package document

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Document is a piece of documented information: its own fields, the
// version in force, the draft being written and where its review and
// acknowledgement stand.
type Document struct {
	ID    string `json:"id"`
	Ref   string `json:"ref" doc:"Short reference such as DOC-3."`
	Title string `json:"title"`
	Kind  string `json:"kind" enum:"ai_policy,policy,procedure,record,other" doc:"ai_policy for the AI policy (5.2, A.2.2); at most one AI policy is in force."`
	// OwnerID is the member accountable for the document and its reviews.
	OwnerID       string   `json:"owner_id" doc:"User id of the member accountable for the document and its reviews."`
	OwnerName     string   `json:"owner_name"`
	OwnerEmail    string   `json:"owner_email"`
	ReviewMonths  int      `json:"review_months" doc:"How many months after an approval or a review the next review falls due."`
	Clauses       []Item   `json:"clauses" doc:"The sub-clauses of clauses 4–10 the document addresses."`
	Controls      []Item   `json:"controls" doc:"The Annex A controls (or the organisation's own) the document addresses."`
	Distribution  []string `json:"distribution" doc:"[\"everyone\"], or the organisation roles whose members must read and acknowledge the version in force."`
	Status        string   `json:"status" enum:"active,archived" doc:"archived: withdrawn; kept with its versions, acknowledgements and history."`
	ArchiveReason string   `json:"archive_reason" doc:"Why it was withdrawn; empty unless archived."`
	// Current is the approved version in force; nil before the first approval.
	Current *VersionInfo `json:"current,omitempty" doc:"The approved version in force, without its text; absent before the first approval."`
	// Draft is the version being written; nil when there is none.
	Draft *VersionInfo `json:"draft,omitempty" doc:"The draft being written, without its text; absent when there is none."`
	// LastReviewedOn and NextReviewOn are empty before the first approval.
	LastReviewedOn string `json:"last_reviewed_on" doc:"Date of the latest approval or review without change, YYYY-MM-DD; empty before the first approval."`
	NextReviewOn   string `json:"next_review_on" doc:"When the next review is due, YYYY-MM-DD; empty before the first approval."`
	ReviewState    string `json:"review_state" enum:",scheduled,due,overdue" doc:"due: the review falls due within 30 days or today; overdue: its date has passed; empty while nothing is in force or the document is archived."`
	// Required and Acknowledged count the people the version in force is
	// distributed to and those of them who acknowledged it.
	Required     int `json:"acknowledgements_required" doc:"How many members the version in force is distributed to."`
	Acknowledged int `json:"acknowledged" doc:"How many of them acknowledged it."`
	// AcknowledgedByMe tells whether the caller acknowledged the version in force; null when it is not distributed to them.
	AcknowledgedByMe *bool      `json:"acknowledged_by_me,omitempty" doc:"Whether you acknowledged the version in force; absent when it is not distributed to you or nothing is in force."`
	Version          int        `json:"version" doc:"Increases with every change of the document's own fields, approval, review and archiving; send it back when updating."`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ArchivedAt       *time.Time `json:"archived_at"`
}

// Item is a clause or control a document addresses.
type Item struct {
	ID    string `json:"id"`
	Title string `json:"title" doc:"Its title; empty when the control no longer exists."`
}

// Kinds of document.
var Kinds = []Option{
	{"ai_policy", "AI policy", "the organisation's AI policy (5.2, A.2.2); at most one is in force"},
	{"policy", "Policy", "another policy, such as information security or data protection (A.2.3)"},
	{"procedure", "Procedure", "how something is done, such as the impact assessment process"},
	{"record", "Record", "a record kept as documented information"},
	{"other", "Other", "any other documented information (7.5)"},
}

// Everyone is the distribution to every member of the organisation.
const Everyone = "everyone"

// Statuses of documents.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// States of a document's review.
const (
	ReviewScheduled = "scheduled"
	ReviewDue       = "due"
	ReviewOverdue   = "overdue"
)

// Statuses of versions.
const (
	VersionDraft    = "draft"
	VersionApproved = "approved"
)

// CreateRequest describes a new document and its first draft; title and kind are required.
type CreateRequest struct {
	Title        string   `json:"title" minLength:"1" maxLength:"200"`
	Kind         string   `json:"kind" enum:"ai_policy,policy,procedure,record,other"`
	OwnerID      string   `json:"owner_id,omitempty" doc:"The accountable member, by user id or email; you when left out. They must be an owner, manager or contributor."`
	ReviewMonths int      `json:"review_months,omitempty" minimum:"0" maximum:"60" doc:"Months between reviews, 1 to 60; 12 when left out."`
	Clauses      []string `json:"clauses,omitempty" maxItems:"60" doc:"Sub-clauses it addresses, such as 5.2 or 7.5.1. For an AI policy, 5.2 when neither clauses nor controls are given."`
	Controls     []string `json:"controls,omitempty" maxItems:"60" doc:"Annex A (or own) controls it addresses, such as A.2.2. For an AI policy, A.2.2 when neither clauses nor controls are given."`
	Distribution []string `json:"distribution,omitempty" doc:"[\"everyone\"] (when left out) or roles among owner, manager, contributor, auditor, viewer."`
	Text         string   `json:"text,omitempty" doc:"Markdown text of the first draft, version 1."`
	ChangeNote   string   `json:"change_note,omitempty" maxLength:"2000" doc:"What version 1 is, such as First issue."`
}

// UpdateRequest changes the document's own fields that it names, if the
// document has not changed since the version it is based on.
type UpdateRequest struct {
	Version      int       `json:"version" minimum:"1" doc:"The document's version this change is based on."`
	Title        *string   `json:"title,omitempty" minLength:"1" maxLength:"200"`
	Kind         *string   `json:"kind,omitempty" enum:"ai_policy,policy,procedure,record,other"`
	OwnerID      *string   `json:"owner_id,omitempty" doc:"By user id or email."`
	ReviewMonths *int      `json:"review_months,omitempty" minimum:"1" maximum:"60" doc:"Changing it moves the next review date to the latest review plus the new interval."`
	Clauses      *[]string `json:"clauses,omitempty" maxItems:"60" doc:"Replaces the whole list."`
	Controls     *[]string `json:"controls,omitempty" maxItems:"60" doc:"Replaces the whole list."`
	Distribution *[]string `json:"distribution,omitempty" doc:"Replaces the distribution."`
}

// fields are a document's own fields as requested, before they are checked.
type fields struct {
	Title, Kind, OwnerID string
	ReviewMonths         int
	Clauses, Controls    []string
	Distribution         []string
}

// Roles lists the roles a document can be distributed to, in order.
func Roles() []string {
	out := make([]string, len(aims.Roles))
	for i, r := range aims.Roles {
		out[i] = string(r)
	}
	return out
}

// normalDistribution checks and orders a distribution: "everyone" alone,
// or organisation roles in the order of aims.Roles; every role is everyone.
func normalDistribution(p *aims.Problems, field string, in []string) []string {
	seen := map[string]bool{}
	for i, r := range in {
		r = strings.ToLower(strings.TrimSpace(r))
		switch {
		case r == "":
			continue
		case r != Everyone && !aims.Role(r).Valid():
			p.Add(field+"["+strconv.Itoa(i)+"]", "must be everyone or one of %s", strings.Join(Roles(), ", "))
			continue
		}
		seen[r] = true
	}
	if seen[Everyone] {
		if len(seen) > 1 {
			p.Add(field, "must be everyone alone, or a list of roles")
		}
		return []string{Everyone}
	}
	var out []string
	for _, r := range Roles() {
		if seen[r] {
			out = append(out, r)
		}
	}
	switch {
	case len(out) == 0:
		p.Add(field, "must name everyone or at least one role")
	case len(out) == len(aims.Roles):
		return []string{Everyone}
	}
	return out
}

// distributedTo reports whether a distribution reaches members of a role.
func distributedTo(dist []string, role string) bool {
	return slices.Contains(dist, Everyone) || slices.Contains(dist, role)
}

// encodeDistribution is how a distribution is stored.
func encodeDistribution(d []string) string { return strings.Join(d, ",") }

func decodeDistribution(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// DistributionLabel words a distribution for people.
func DistributionLabel(d []string) string {
	if slices.Contains(d, Everyone) {
		return "Everyone"
	}
	out := make([]string, len(d))
	for i, r := range d {
		out[i] = strings.ToUpper(r[:1]) + r[1:] + "s"
	}
	return strings.Join(out, ", ")
}

// searchText is what a search matches, in lower case.
func (d *Document) searchText() string {
	parts := []string{d.Ref, d.Title, Label(Kinds, d.Kind)}
	for _, it := range d.Clauses {
		parts = append(parts, it.ID)
	}
	for _, it := range d.Controls {
		parts = append(parts, it.ID)
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

// auditDocument is what the audit log records of a document's own fields.
type auditDocument struct {
	Ref          string   `json:"ref"`
	Title        string   `json:"title"`
	Kind         string   `json:"kind"`
	OwnerID      string   `json:"owner_id"`
	ReviewMonths int      `json:"review_months"`
	Clauses      []string `json:"clauses"`
	Controls     []string `json:"controls"`
	Distribution []string `json:"distribution"`
	NextReviewOn string   `json:"next_review_on"`
}

func (d *Document) audit() auditDocument {
	return auditDocument{Ref: d.Ref, Title: d.Title, Kind: d.Kind, OwnerID: d.OwnerID, ReviewMonths: d.ReviewMonths,
		Clauses: ids(d.Clauses), Controls: ids(d.Controls), Distribution: d.Distribution, NextReviewOn: d.NextReviewOn}
}

func ids(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// reviewState says where a review stands on the day today.
func reviewState(status, next, today string) string {
	if status != StatusActive || next == "" {
		return ""
	}
	switch {
	case next < today:
		return ReviewOverdue
	case next <= soon(today):
		return ReviewDue
	}
	return ReviewScheduled
}

// soon is the last day whose review is due on the day today.
func soon(today string) string {
	t, err := time.Parse(DateLayout, today)
	if err != nil {
		return today
	}
	return t.Add(DueWithin).Format(DateLayout)
}

// Query filters, searches and pages the documents.
type Query struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, title, kind or the clauses and controls addressed."`
	Kind   string `query:"kind" enum:"ai_policy,policy,procedure,record,other"`
	Status string `query:"status" enum:"active,archived,all" default:"active"`
	// Review keeps only documents whose review is due or overdue.
	Review string `query:"review" enum:"due,overdue" doc:"due: documents whose review falls due within 30 days or has passed; overdue: only those past their date."`
	// Addresses keeps documents addressing a clause or control.
	Addresses string `query:"addresses" doc:"Only documents addressing this clause or control, such as 5.2 or A.2.2."`
	Owner     string `query:"owner" doc:"Only documents owned by this member (user id or email)."`
	Draft     bool   `query:"draft" doc:"Only documents with a draft being written."`
	Limit     int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset    int    `query:"offset" minimum:"0"`
}

// Page is one page of documents and the total number of matches.
type Page struct {
	Items  []Document `json:"items"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *Query) Normalise() error {
	var p aims.Problems
	if q.Status == "" {
		q.Status = StatusActive
	}
	if q.Status != StatusActive && q.Status != StatusArchived && q.Status != "all" {
		p.Add("status", "must be active, archived or all")
	}
	if q.Kind != "" && !allowed(Kinds, q.Kind) {
		p.Add("kind", "must be one of %s", values(Kinds))
	}
	if q.Review != "" && q.Review != ReviewDue && q.Review != ReviewOverdue {
		p.Add("review", "must be due or overdue")
	}
	q.Addresses = strings.TrimSpace(q.Addresses)
	if strings.HasPrefix(strings.ToUpper(q.Addresses), "A.") {
		q.Addresses = strings.ToUpper(q.Addresses)
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if q.Offset < 0 {
		p.Add("offset", "must not be negative")
	}
	return p.Err()
}
