package dataset

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Dataset is one data set of the organisation.
type Dataset struct {
	ID          string `json:"id"`
	Ref         string `json:"ref" doc:"Short reference such as DS-3."`
	Name        string `json:"name"`
	Description string `json:"description"`
	OwnerID     string `json:"owner_id" doc:"User id of the accountable owner; empty when none."`
	OwnerName   string `json:"owner_name" doc:"Name of the owner, for display."`
	// Systems are the AI systems that use the data set, in reference order.
	Systems       []SystemRef `json:"systems" doc:"The AI systems that use the data set."`
	Status        string      `json:"status" enum:"active,archived"`
	LatestVersion int         `json:"latest_version" doc:"Number of the newest version; 0 while none is recorded."`
	PersonalData  bool        `json:"personal_data" doc:"Whether any of its versions holds personal data."`
	Version       int         `json:"version" doc:"Increases with every change to the data set's own fields; send it back when updating."`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	ArchivedAt    *time.Time  `json:"archived_at"`
}

// SystemRef names an AI system that uses a data set.
type SystemRef struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// Statuses of a data set.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// Acquisitions are how the data of a version was obtained (A.7.3).
var Acquisitions = []Option{
	{"collected", "Collected", "gathered by the organisation itself, from people, systems or sensors"},
	{"purchased", "Purchased", "bought from a data provider"},
	{"licensed", "Licensed", "used under a licence from its owner, without buying it"},
	{"public", "Public", "openly available, such as open data or a published benchmark"},
	{"synthetic", "Synthetic", "generated, for example by simulation or a generative model"},
	{"derived", "Derived", "made from other data sets by preparation, such as cleaning, joining or sampling"},
	{"other", "Other", "obtained another way, described in the source"},
}

// ConsentBases are the lawful bases of Article 6(1) GDPR for processing the
// personal data of a version, and not_applicable when it holds none.
var ConsentBases = []Option{
	{"consent", "Consent", "Art. 6(1)(a): the people concerned have consented"},
	{"contract", "Contract", "Art. 6(1)(b): needed to perform a contract with them"},
	{"legal_obligation", "Legal obligation", "Art. 6(1)(c): needed to comply with a legal obligation"},
	{"vital_interests", "Vital interests", "Art. 6(1)(d): needed to protect someone's life"},
	{"public_task", "Public task", "Art. 6(1)(e): needed for a task in the public interest"},
	{"legitimate_interests", "Legitimate interests", "Art. 6(1)(f): needed for legitimate interests not overridden by theirs"},
	{"not_applicable", "Not applicable", "the version holds no personal data"},
}

// Label returns the label of value in opts, or the value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func allowed(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func values(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// Field limits, in characters or items.
const (
	maxName      = 200
	maxText      = 2000
	maxLongText  = 10000
	maxItem      = 200
	maxStep      = 2000
	maxListItems = 50
	maxSystems   = 100
	maxParents   = 50
)

// CreateRequest describes a new data set; only the name is required.
type CreateRequest struct {
	Name        string   `json:"name" minLength:"1" maxLength:"200" doc:"Name people know the data set by, unique in the organisation."`
	Description string   `json:"description,omitempty" maxLength:"10000" doc:"What the data is about and what it is for."`
	OwnerID     string   `json:"owner_id,omitempty" doc:"User id of the accountable owner, a member of the organisation."`
	Systems     []string `json:"systems,omitempty" maxItems:"100" doc:"AI systems that use the data set, by reference (SYS-1) or id."`
}

// UpdateRequest changes the fields it names. Version must be the version the
// change was based on; if someone else changed the data set since, the
// update is refused rather than overwriting their work.
type UpdateRequest struct {
	Version     int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Name        *string   `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Description *string   `json:"description,omitempty" maxLength:"10000"`
	OwnerID     *string   `json:"owner_id,omitempty" doc:"User id of the owner; empty to clear."`
	Systems     *[]string `json:"systems,omitempty" maxItems:"100" doc:"Replaces the AI systems that use the data set."`
}

// text trims a text field and records what is wrong with it.
func text(p *aims.Problems, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > max:
		p.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

// normalise trims the data set's own fields and records every problem with them.
func (d *Dataset) normalise(p *aims.Problems) {
	text(p, "name", &d.Name, true, maxName)
	text(p, "description", &d.Description, false, maxLongText)
	d.OwnerID = strings.ToLower(strings.TrimSpace(d.OwnerID))
	if d.OwnerID != "" && !aims.ValidID(d.OwnerID) {
		p.Add("owner_id", "is not a user id")
	}
}

// searchText is what a search matches: reference, name and description, in lower case.
func (d *Dataset) searchText() string {
	return strings.ToLower(strings.Join([]string{d.Ref, d.Name, d.Description}, "\n"))
}

// nameKey is the form of a name used to keep names unique in an organisation.
func nameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// items trims a list of short texts, drops blank and repeated ones (ignoring
// case) and records a problem when one is too long or there are too many.
func items(p *aims.Problems, field string, in []string, maxLen, maxItems int) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.Join(strings.Fields(s), " ")
		k := strings.ToLower(s)
		if s == "" || seen[k] {
			continue
		}
		seen[k] = true
		if utf8.RuneCountInString(s) > maxLen && !p.Has(field) {
			p.Add(field, "must each be at most %d characters", maxLen)
		}
		out = append(out, s)
	}
	if len(out) > maxItems && !p.Has(field) {
		p.Add(field, "must list at most %d", maxItems)
	}
	return out
}
