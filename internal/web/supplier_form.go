package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/supplier"
)

// supplierLabels name the fields of third parties, supplies, assessments,
// responsibilities and resources where the general names do not fit.
var supplierLabels = map[string]string{
	"contact.name": "Contact", "contact.email": "Contact email", "contact.web": "Web site", "country": "Country",
	"kind": "Kind", "role": "Direction", "system": "AI system", "model": "Model", "dataset": "Data set",
	"assessed_on": "Assessed on", "assessor": "Assessor", "result": "Result", "findings": "Findings and conditions",
	"next_assessment_on": "Next assessment", "responsible": "Responsible", "accountable": "Accountable",
	"consulted": "Consulted", "informed": "Informed", "stage": "Stage", "provider": "Provided by",
	"competences": "Competences", "members": "People", "systems": "AI systems", "file": "BOM file", "bom": "BOM file",
}

// supplierLabel names a field for people.
func supplierLabel(f string) string {
	if l, ok := supplierLabels[f]; ok {
		return l
	}
	if i := strings.LastIndex(f, "."); i >= 0 && strings.HasPrefix(f, "components[") {
		return "Component " + f[len("components"):]
	}
	return fieldLabel(f)
}

// supplierSummary lists a form's problems, linking each to its control.
func supplierSummary(fe formErrors, prefix string, fields []string) []summaryItem {
	on := map[string]bool{}
	for _, f := range fields {
		on[f] = true
	}
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: supplierLabel(f.Field) + " " + f.Message}
		if on[f.Field] {
			it.Href = "#" + prefix + strings.ReplaceAll(f.Field, ".", "-")
		}
		out = append(out, it)
	}
	return out
}

// spField is a control of a third-party, supply, assessment or resource form.
func spField(prefix, name, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + strings.ReplaceAll(name, ".", "-"), Name: name, Label: supplierLabel(name), Type: typ, Value: value,
		Hint: hint, Err: errs.For(name), Wide: typ == "textarea"}
}

// spChoice is a select of an enumeration, with an empty first choice when blank is not "".
func spChoice(prefix, name, value, hint, blank string, opts []supplier.Option, errs formErrors) field {
	f := spField(prefix, name, "select", value, hint, errs)
	if blank != "" {
		f.Options = append(f.Options, option{Value: "", Label: blank, Selected: value == ""})
	}
	for _, o := range opts {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: o.Value == value})
	}
	return f
}

// partyForm is the third-party form as typed.
type partyForm struct {
	Name, Kind, Description, ContactName, ContactEmail, ContactWeb, Country, Version string
}

func partyFormFrom(v url.Values) partyForm {
	return partyForm{Name: v.Get("name"), Kind: v.Get("kind"), Description: v.Get("description"), ContactName: v.Get("contact.name"),
		ContactEmail: v.Get("contact.email"), ContactWeb: v.Get("contact.web"), Country: v.Get("country"), Version: v.Get("version")}
}

func partyFormOf(p *supplier.Party) partyForm {
	return partyForm{Name: p.Name, Kind: p.Kind, Description: p.Description, ContactName: p.Contact.Name, ContactEmail: p.Contact.Email,
		ContactWeb: p.Contact.Web, Country: p.Country, Version: strconv.Itoa(p.Version)}
}

func (f partyForm) contact() supplier.Contact {
	return supplier.Contact{Name: f.ContactName, Email: f.ContactEmail, Web: f.ContactWeb}
}

func (f partyForm) create() supplier.PartyRequest {
	return supplier.PartyRequest{Name: f.Name, Kind: f.Kind, Description: f.Description, Contact: f.contact(), Country: f.Country}
}

func (f partyForm) update() supplier.PartyUpdate {
	c := f.contact()
	return supplier.PartyUpdate{Version: formInt(f.Version), Name: &f.Name, Kind: &f.Kind, Description: &f.Description,
		Contact: &c, Country: &f.Country}
}

// partyFormData is what the third-party form shows.
type partyFormData struct {
	// Party is the stored party when editing, nil when recording.
	Party *supplier.Party
	Form  partyForm
	Errs  formErrors
}

var partyFormFields = []string{"name", "kind", "description", "contact.name", "contact.email", "contact.web", "country"}

func (d partyFormData) action() string {
	if d.Party == nil {
		return "/suppliers"
	}
	return "/suppliers/" + d.Party.Ref
}

func (d partyFormData) field(name, typ, value, hint string) field {
	f := spField("party-", name, typ, value, hint, d.Errs)
	f.Required = name == "name"
	return f
}

func (d partyFormData) kind() field {
	f := spChoice("party-", "kind", d.Form.Kind, "Whether the organisation receives from it, provides to it, or both.", "", supplier.Kinds, d.Errs)
	f.Required = true
	return f
}

// supplyForm is the form that records a supply, as typed.
type supplyForm struct {
	Role, Kind, System, Model, Dataset, Description string
}

func supplyFormFrom(v url.Values) supplyForm {
	return supplyForm{Role: v.Get("role"), Kind: v.Get("kind"), System: v.Get("system"), Model: v.Get("model"),
		Dataset: v.Get("dataset"), Description: v.Get("description")}
}

func (f supplyForm) request() supplier.SupplyRequest {
	return supplier.SupplyRequest{Role: f.Role, Kind: f.Kind, System: f.System, Model: f.Model, Dataset: f.Dataset, Description: f.Description}
}

// assessForm is the form that records an assessment, as typed.
type assessForm struct {
	AssessedOn, Assessor, Result, Findings, NextAssessmentOn string
}

func assessFormFrom(v url.Values) assessForm {
	return assessForm{AssessedOn: v.Get("assessed_on"), Assessor: v.Get("assessor"), Result: v.Get("result"),
		Findings: v.Get("findings"), NextAssessmentOn: v.Get("next_assessment_on")}
}

func (f assessForm) request() supplier.AssessRequest {
	return supplier.AssessRequest{AssessedOn: f.AssessedOn, Assessor: f.Assessor, Result: f.Result, Findings: f.Findings,
		NextAssessmentOn: f.NextAssessmentOn}
}

// partyData is what a third party's page shows, with its add forms as typed.
type partyData struct {
	Party       *supplier.Party
	Supplies    []supplier.Supply
	Assessments []supplier.Assessment
	History     []eventView
	Systems     []aisystem.System
	Members     []identity.Membership
	Supply      supplyForm
	SupplyErrs  formErrors
	Assess      assessForm
	AssessErrs  formErrors
}

var supplyFormFields = []string{"role", "kind", "system", "model", "dataset", "description"}

var assessFormFields = []string{"assessed_on", "assessor", "result", "findings", "next_assessment_on"}

func (d partyData) supplyRole() field {
	return spChoice("supply-", "role", d.Supply.Role, "Which way it goes.", "As the party's kind says", supplier.SupplyRoles, d.SupplyErrs)
}

func (d partyData) supplyKind() field {
	f := spChoice("supply-", "kind", d.Supply.Kind, "", "Choose what is supplied", supplier.SupplyKinds, d.SupplyErrs)
	f.Required = true
	return f
}

func (d partyData) supplySystem() field {
	f := spField("supply-", "system", "select", d.Supply.System, "The AI system it serves; for a model, its own system when left empty.", d.SupplyErrs)
	f.Options = append(f.Options, option{Value: "", Label: "No particular system", Selected: d.Supply.System == ""})
	for _, s := range d.Systems {
		f.Options = append(f.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, d.Supply.System)})
	}
	return f
}

func (d partyData) supplyText(name, hint string) field {
	typ := "text"
	if name == "description" {
		typ = "textarea"
	}
	return spField("supply-", name, typ, map[string]string{"model": d.Supply.Model, "dataset": d.Supply.Dataset,
		"description": d.Supply.Description}[name], hint, d.SupplyErrs)
}

func (d partyData) assessText(name, typ, value, hint string) field {
	return spField("assess-", name, typ, value, hint, d.AssessErrs)
}

func (d partyData) assessResult() field {
	f := spChoice("assess-", "result", d.Assess.Result, "", "Choose the result", supplier.Results, d.AssessErrs)
	f.Required = true
	return f
}

func (d partyData) assessor() field {
	f := spField("assess-", "assessor", "select", d.Assess.Assessor, "The member who assessed the supplier.", d.AssessErrs)
	for _, m := range d.Members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: m.UserID == d.Assess.Assessor})
	}
	return f
}

// dueBadge words whether a party's assessment is due.
func dueText(p *supplier.Party) string {
	switch {
	case !p.AssessmentDue:
		return ""
	case p.NextAssessmentOn == "":
		return "Never assessed"
	}
	return "Assessment due since " + p.NextAssessmentOn
}

// dueReason words why a supplier is due for assessment.
func dueReason(it supplier.DueSupplier) string {
	switch it.Reason {
	case supplier.DueNeverAssessed:
		return "supplies something and was never assessed"
	case supplier.DueToday:
		return "due today"
	}
	return plural(int64(it.DaysOverdue), "day overdue", "days overdue") + " (due " + it.Party.NextAssessmentOn + ")"
}

// resultClass is the badge class of an assessment result.
func resultClass(result string) string {
	switch result {
	case "satisfactory":
		return "badge badge-ok"
	case "unsatisfactory":
		return "badge badge-bad"
	}
	return "badge badge-warn"
}

// linkText shows a linked record as its reference and name.
func linkText(l *supplier.Link) string {
	if l == nil {
		return ""
	}
	return l.Ref + " " + l.Name
}
