package supplier

import (
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// ResourceKinds are the kinds of resource of A.4.3–A.4.6.
var ResourceKinds = []Option{
	{"data", "Data", "data resources (A.4.3)"},
	{"tooling", "Tooling", "algorithms, libraries, development and evaluation tools (A.4.4)"},
	{"computing", "Computing", "system and computing resources: processing, storage, network, where they run (A.4.5)"},
	{"people", "People", "human resources and their competences (A.4.6)"},
	{"other", "Other", "any other resource an AI system relies on (A.4.2)"},
}

// Resource is something AI systems rely on (A.4.2): data, tooling,
// computing, people with their competences, or other.
type Resource struct {
	ID          string `json:"id"`
	Ref         string `json:"ref" doc:"Short reference such as RES-4."`
	Kind        string `json:"kind" enum:"data,tooling,computing,people,other"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Provider is the third party that provides it; nil when the organisation does.
	Provider *Link `json:"provider,omitempty" doc:"The third party that provides the resource; absent when the organisation provides it."`
	// Competences and Members are for people only.
	Competences []string     `json:"competences" doc:"For people: the competences, as short words or phrases."`
	Members     []MemberLink `json:"members" doc:"For people: the members concerned."`
	Systems     []Link       `json:"systems" doc:"The AI systems that rely on the resource."`
	Status      string       `json:"status" enum:"active,archived"`
	Version     int          `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	ArchivedAt  *time.Time   `json:"archived_at"`
}

// MemberLink names a member of the organisation.
type MemberLink struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// ResourceRequest describes a new resource; kind and name are required.
type ResourceRequest struct {
	Kind        string   `json:"kind" enum:"data,tooling,computing,people,other"`
	Name        string   `json:"name" minLength:"1" maxLength:"200"`
	Description string   `json:"description,omitempty" maxLength:"10000" doc:"What it is, where it runs, its requirements and its environmental and cost impact."`
	Provider    string   `json:"provider,omitempty" doc:"The third party that provides it (TP-2); empty when the organisation does."`
	Competences []string `json:"competences,omitempty" maxItems:"50" doc:"For people: competences such as statistics or clinical safety."`
	Members     []string `json:"members,omitempty" maxItems:"50" doc:"For people: the members concerned, by user id or email."`
	Systems     []string `json:"systems,omitempty" maxItems:"100" doc:"The AI systems that rely on it (SYS-1)."`
}

// ResourceUpdate changes the fields it names, if the resource has not
// changed since the version it is based on; lists replace the stored ones.
type ResourceUpdate struct {
	Version     int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Kind        *string   `json:"kind,omitempty" enum:"data,tooling,computing,people,other"`
	Name        *string   `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Description *string   `json:"description,omitempty" maxLength:"10000"`
	Provider    *string   `json:"provider,omitempty" doc:"TP reference; empty to clear."`
	Competences *[]string `json:"competences,omitempty" maxItems:"50"`
	Members     *[]string `json:"members,omitempty" maxItems:"50"`
	Systems     *[]string `json:"systems,omitempty" maxItems:"100"`
}

// ResourceQuery filters, searches and pages the resources.
type ResourceQuery struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, name, description or competences."`
	Kind   string `query:"kind" enum:"data,tooling,computing,people,other"`
	System string `query:"system" doc:"Only resources that this AI system relies on (reference or id)."`
	Status string `query:"status" enum:"active,archived,all" default:"active"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int    `query:"offset" minimum:"0"`
}

// ResourcePage is one page of resources and the total number of matches.
type ResourcePage struct {
	Items  []Resource `json:"items"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ResourceQuery) Normalise() error {
	var p aims.Problems
	if q.Status == "" {
		q.Status = StatusActive
	}
	if q.Status != StatusActive && q.Status != StatusArchived && q.Status != "all" {
		p.Add("status", "must be active, archived or all")
	}
	if q.Kind != "" && !allowed(ResourceKinds, q.Kind) {
		p.Add("kind", "must be one of %s", values(ResourceKinds))
	}
	checkPage(&p, &q.Limit, q.Offset)
	return p.Err()
}

// normalise trims the resource's own fields and records every problem with them.
func (r *Resource) normalise(p *aims.Problems) {
	r.Kind = strings.TrimSpace(r.Kind)
	if !allowed(ResourceKinds, r.Kind) {
		p.Add("kind", "must be one of %s", values(ResourceKinds))
	}
	text(p, "name", &r.Name, true, maxName)
	text(p, "description", &r.Description, false, maxLongText)
	r.Competences = list(p, "competences", r.Competences, maxItem, maxItems)
	if r.Kind != "people" {
		if len(r.Competences) > 0 {
			p.Add("competences", "are recorded only for people")
		}
		if len(r.Members) > 0 {
			p.Add("members", "are recorded only for people")
		}
	}
}

// searchText is what a search matches, in lower case.
func (r *Resource) searchText() string {
	return strings.ToLower(strings.Join(append([]string{r.Ref, r.Name, r.Description}, r.Competences...), "\n"))
}

// auditResource is what the audit log records of a resource.
type auditResource struct {
	Ref         string   `json:"ref"`
	Kind        string   `json:"kind"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Provider    string   `json:"provider"`
	Competences []string `json:"competences"`
	Members     []string `json:"members"`
	Systems     []string `json:"systems"`
}

func (r *Resource) audit() auditResource {
	a := auditResource{Ref: r.Ref, Kind: r.Kind, Name: r.Name, Description: r.Description, Competences: r.Competences,
		Members: []string{}, Systems: []string{}}
	if r.Provider != nil {
		a.Provider = r.Provider.Ref
	}
	for _, m := range r.Members {
		a.Members = append(a.Members, m.Email)
	}
	for _, s := range r.Systems {
		a.Systems = append(a.Systems, s.Ref)
	}
	return a
}
