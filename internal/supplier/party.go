package supplier

import (
	"regexp"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Party is a third party: a supplier, a customer, or both.
type Party struct {
	ID          string  `json:"id"`
	Ref         string  `json:"ref" doc:"Short reference such as TP-3."`
	Name        string  `json:"name" doc:"Unique in the organisation, ignoring case."`
	Kind        string  `json:"kind" enum:"supplier,customer,both"`
	Description string  `json:"description"`
	Contact     Contact `json:"contact"`
	Country     string  `json:"country" doc:"ISO 3166-1 alpha-2 code such as DE; empty when not recorded."`
	Status      string  `json:"status" enum:"active,archived"`
	// LastAssessedOn, LastResult and NextAssessmentOn come from the latest assessment.
	LastAssessedOn   string     `json:"last_assessed_on" doc:"Date of the latest assessment, YYYY-MM-DD; empty when none was made."`
	LastResult       string     `json:"last_result" doc:"Result of the latest assessment; empty when none was made."`
	NextAssessmentOn string     `json:"next_assessment_on" doc:"When the next assessment is due, YYYY-MM-DD; empty when none was made."`
	AssessmentDue    bool       `json:"assessment_due" doc:"Whether an active supplier's next assessment date has come, or it supplies something and was never assessed."`
	SupplyCount      int        `json:"supply_count" doc:"How many supplies are recorded, in either direction."`
	Version          int        `json:"version" doc:"Increases with every change to the party's own fields; send it back when updating."`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ArchivedAt       *time.Time `json:"archived_at"`
}

// Contact is whom to reach at a third party.
type Contact struct {
	Name  string `json:"name" required:"false" maxLength:"200" doc:"A person or function, such as Account manager."`
	Email string `json:"email" required:"false" maxLength:"200"`
	Web   string `json:"web" required:"false" maxLength:"2000" doc:"Web address, https://…"`
}

// Kinds of third party.
var Kinds = []Option{
	{"supplier", "Supplier", "provides the organisation with models, data, services, tools or computing"},
	{"customer", "Customer", "receives an AI system, model, data or service from the organisation"},
	{"both", "Supplier and customer", "both supplies the organisation and receives from it"},
}

// PartyRequest describes a new third party; name and kind are required.
type PartyRequest struct {
	Name        string  `json:"name" minLength:"1" maxLength:"200" doc:"Name of the organisation, unique in yours."`
	Kind        string  `json:"kind" enum:"supplier,customer,both" doc:"supplier, customer or both."`
	Description string  `json:"description,omitempty" maxLength:"10000" doc:"What the relationship is, its contracts and requirements."`
	Contact     Contact `json:"contact,omitempty"`
	Country     string  `json:"country,omitempty" doc:"ISO 3166-1 alpha-2 code such as DE."`
}

// PartyUpdate changes the fields it names, if the party has not changed
// since the version it is based on.
type PartyUpdate struct {
	Version     int      `json:"version" minimum:"1" doc:"The version this change is based on."`
	Name        *string  `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Kind        *string  `json:"kind,omitempty" enum:"supplier,customer,both"`
	Description *string  `json:"description,omitempty" maxLength:"10000"`
	Contact     *Contact `json:"contact,omitempty" doc:"Replaces the whole contact."`
	Country     *string  `json:"country,omitempty"`
}

var countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)

// normalise trims the party's fields and records every problem with them.
func (t *Party) normalise(p *aims.Problems) {
	text(p, "name", &t.Name, true, maxName)
	t.Kind = strings.TrimSpace(t.Kind)
	if !allowed(Kinds, t.Kind) {
		p.Add("kind", "must be one of %s", values(Kinds))
	}
	text(p, "description", &t.Description, false, maxLongText)
	text(p, "contact.name", &t.Contact.Name, false, maxName)
	checkEmail(p, "contact.email", &t.Contact.Email)
	checkWeb(p, "contact.web", &t.Contact.Web)
	t.Country = strings.ToUpper(strings.TrimSpace(t.Country))
	if t.Country != "" && !countryPattern.MatchString(t.Country) {
		p.Add("country", "must be a two-letter ISO 3166-1 code such as DE or US")
	}
}

// Supplies reports whether the party may supply the organisation.
func (t *Party) Supplies() bool { return t.Kind == "supplier" || t.Kind == "both" }

// Receives reports whether the party may receive from the organisation.
func (t *Party) Receives() bool { return t.Kind == "customer" || t.Kind == "both" }

// due works out whether the party's assessment is due on the day today,
// given how many supplies it makes to the organisation.
func (t *Party) due(today string, suppliesToUs int) bool {
	if t.Status != StatusActive || !t.Supplies() {
		return false
	}
	if t.NextAssessmentOn == "" {
		return suppliesToUs > 0
	}
	return t.NextAssessmentOn <= today
}

// searchText is what a search matches, in lower case.
func (t *Party) searchText() string {
	return strings.ToLower(strings.Join([]string{t.Ref, t.Name, t.Description, t.Contact.Name, t.Contact.Email, t.Country}, "\n"))
}

// auditParty is what the audit log records of a party's own fields.
type auditParty struct {
	Ref          string `json:"ref"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Description  string `json:"description"`
	ContactName  string `json:"contact.name"`
	ContactEmail string `json:"contact.email"`
	ContactWeb   string `json:"contact.web"`
	Country      string `json:"country"`
}

func (t *Party) audit() auditParty {
	return auditParty{Ref: t.Ref, Name: t.Name, Kind: t.Kind, Description: t.Description, ContactName: t.Contact.Name,
		ContactEmail: t.Contact.Email, ContactWeb: t.Contact.Web, Country: t.Country}
}

// PartyQuery filters, searches and pages the third parties.
type PartyQuery struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, name, description, contact or country."`
	Kind   string `query:"kind" enum:"supplier,customer,both" doc:"supplier: those that supply (kind supplier or both); customer: those that receive (customer or both); both: only those that do both."`
	Status string `query:"status" enum:"active,archived,all" default:"active"`
	Due    bool   `query:"due" doc:"Only suppliers whose assessment is due."`
	System string `query:"system" doc:"Only parties with a supply for this AI system (reference or id)."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int    `query:"offset" minimum:"0"`
}

// PartyPage is one page of third parties and the total number of matches.
type PartyPage struct {
	Items  []Party `json:"items"`
	Total  int     `json:"total"`
	Limit  int     `json:"limit"`
	Offset int     `json:"offset"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *PartyQuery) Normalise() error {
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
	checkPage(&p, &q.Limit, q.Offset)
	return p.Err()
}

// checkPage fills the default page size and checks the paging parameters.
func checkPage(p *aims.Problems, limit *int, offset int) {
	if *limit == 0 {
		*limit = 50
	}
	if *limit < 1 || *limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if offset < 0 {
		p.Add("offset", "must not be negative")
	}
}
