package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/internalaudit"
)

// iaField is a control of an internal audit form.
func iaField(prefix, name, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + strings.ReplaceAll(name, "_", "-"), Name: name, Label: fieldLabel(name), Type: typ, Value: value,
		Hint: hint, Err: errs.For(name), Wide: typ == "textarea"}
}

// iaSummary lists a form's problems, linking each to its control.
func iaSummary(fe formErrors, prefix string, fields ...string) []summaryItem {
	ids := map[string]string{}
	for _, f := range fields {
		ids[f] = prefix + strings.ReplaceAll(f, "_", "-")
	}
	return summary(fe, ids)
}

// memberChoice is a select of the organisation's members.
func memberChoice(f field, members []identity.Membership, blank string) field {
	f.Type = "select"
	f.Options = []option{{Value: "", Label: blank, Selected: f.Value == ""}}
	for _, m := range members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + string(m.Role) + ")", Selected: m.UserID == f.Value})
	}
	return f
}

// words splits a typed list on commas, semicolons and white space.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// programmeForm is the programme form as typed.
type programmeForm struct {
	CycleStart, Objectives, Methods, Responsibilities, FrequencyBasis, ManagerID, Version string
}

func programmeFormFrom(v url.Values) programmeForm {
	return programmeForm{CycleStart: v.Get("cycle_start"), Objectives: v.Get("objectives"), Methods: v.Get("methods"),
		Responsibilities: v.Get("responsibilities"), FrequencyBasis: v.Get("frequency_basis"), ManagerID: v.Get("manager_id"), Version: v.Get("version")}
}

func programmeFormOf(g *internalaudit.Programme) programmeForm {
	return programmeForm{CycleStart: g.CycleStart, Objectives: g.Objectives, Methods: g.Methods, Responsibilities: g.Responsibilities,
		FrequencyBasis: g.FrequencyBasis, ManagerID: g.ManagerID, Version: strconv.Itoa(g.Version)}
}

func (f programmeForm) create() internalaudit.ProgrammeRequest {
	return internalaudit.ProgrammeRequest{CycleStart: f.CycleStart, Objectives: f.Objectives, Methods: f.Methods,
		Responsibilities: f.Responsibilities, FrequencyBasis: f.FrequencyBasis, ManagerID: f.ManagerID}
}

func (f programmeForm) update() internalaudit.ProgrammeUpdate {
	return internalaudit.ProgrammeUpdate{Version: formInt(f.Version), CycleStart: &f.CycleStart, Objectives: &f.Objectives, Methods: &f.Methods,
		Responsibilities: &f.Responsibilities, FrequencyBasis: &f.FrequencyBasis, ManagerID: &f.ManagerID}
}

// programmeFormData is what the programme form shows.
type programmeFormData struct {
	Programme *internalaudit.Programme
	Form      programmeForm
	Errs      formErrors
	Members   []identity.Membership
}

func (d programmeFormData) action() string {
	if d.Programme == nil {
		return "/internal-audit-programmes"
	}
	return "/internal-audit-programmes/" + d.Programme.Ref
}

func (d programmeFormData) field(name, typ, value, hint string) field {
	f := iaField("programme-", name, typ, value, hint, d.Errs)
	f.Required = name == "cycle_start" || name == "objectives"
	return f
}

func (d programmeFormData) manager() field {
	return memberChoice(d.field("manager_id", "select", d.Form.ManagerID,
		"Who manages the programme. They may not audit clause 9.2, the programme itself."), d.Members, "Nobody named")
}

// auditForm is the audit plan form as typed.
type auditForm struct {
	Programme, Title, Objectives, Criteria, Clauses, Controls, Systems, PlannedStart, PlannedEnd, AuditorID, Version string
	AuditeeIDs                                                                                                       []string
}

func auditFormFrom(v url.Values) auditForm {
	return auditForm{Programme: v.Get("programme"), Title: v.Get("title"), Objectives: v.Get("objectives"), Criteria: v.Get("criteria"),
		Clauses: v.Get("clauses"), Controls: v.Get("controls"), Systems: v.Get("systems"), PlannedStart: v.Get("planned_start"),
		PlannedEnd: v.Get("planned_end"), AuditorID: v.Get("auditor_id"), AuditeeIDs: v["auditee_ids"], Version: v.Get("version")}
}

func auditFormOf(a *internalaudit.Audit) auditForm {
	f := auditForm{Programme: a.ProgrammeRef, Title: a.Title, Objectives: a.Objectives, Criteria: a.Criteria,
		Clauses: strings.Join(a.Scope.Clauses, ", "), Controls: strings.Join(a.Scope.Controls, ", "), PlannedStart: a.PlannedStart,
		PlannedEnd: a.PlannedEnd, AuditorID: a.Auditor.UserID, Version: strconv.Itoa(a.Version)}
	var sys []string
	for _, s := range a.Scope.Systems {
		sys = append(sys, s.Ref)
	}
	f.Systems = strings.Join(sys, ", ")
	for _, p := range a.Auditees {
		f.AuditeeIDs = append(f.AuditeeIDs, p.UserID)
	}
	return f
}

func (f auditForm) create() internalaudit.AuditRequest {
	return internalaudit.AuditRequest{Programme: f.Programme, Title: f.Title, Objectives: f.Objectives, Criteria: f.Criteria,
		Clauses: words(f.Clauses), Controls: words(f.Controls), Systems: words(f.Systems), PlannedStart: f.PlannedStart,
		PlannedEnd: f.PlannedEnd, AuditorID: f.AuditorID, AuditeeIDs: f.AuditeeIDs}
}

// update is the change the edit form asks for; scope and people only while the audit is planned.
func (f auditForm) update(planned bool) internalaudit.AuditUpdate {
	u := internalaudit.AuditUpdate{Version: formInt(f.Version), Title: &f.Title, Objectives: &f.Objectives, Criteria: &f.Criteria,
		PlannedStart: &f.PlannedStart, PlannedEnd: &f.PlannedEnd}
	if planned {
		c, k, s, ids := words(f.Clauses), words(f.Controls), words(f.Systems), append([]string{}, f.AuditeeIDs...)
		u.Clauses, u.Controls, u.Systems, u.AuditorID, u.AuditeeIDs = &c, &k, &s, &f.AuditorID, &ids
	}
	return u
}

// auditFormData is what the audit plan form shows.
type auditFormData struct {
	Audit      *internalaudit.Audit
	Form       auditForm
	Errs       formErrors
	Members    []identity.Membership
	Programmes []internalaudit.Programme
}

var auditFormFields = []string{"programme", "title", "objectives", "criteria", "clauses", "controls", "systems", "planned_start",
	"planned_end", "auditor_id", "auditee_ids"}

func (d auditFormData) action() string {
	if d.Audit == nil {
		return "/internal-audits"
	}
	return "/internal-audits/" + d.Audit.Ref
}

// scopeFixed reports whether the scope and people can no longer change.
func (d auditFormData) scopeFixed() bool {
	return d.Audit != nil && d.Audit.Status != internalaudit.StatusPlanned
}

func (d auditFormData) field(name, typ, value, hint string) field {
	f := iaField("audit-", name, typ, value, hint, d.Errs)
	f.Required = slices.Contains([]string{"programme", "title", "objectives", "criteria", "planned_start", "planned_end", "auditor_id"}, name)
	return f
}

func (d auditFormData) programme() field {
	f := d.field("programme", "select", d.Form.Programme, "The certification cycle the audit belongs to.")
	for _, g := range d.Programmes {
		f.Options = append(f.Options, option{Value: g.Ref, Label: g.Ref + ": cycle from " + g.CycleStart, Selected: g.Ref == d.Form.Programme})
	}
	return f
}

func (d auditFormData) auditor() field {
	return memberChoice(d.field("auditor_id", "select", d.Form.AuditorID,
		"The lead auditor. Not an auditee, nor the owner of an AI system or an applicable control in scope: nobody audits their own work."),
		d.Members, "Choose the auditor")
}

func (d auditFormData) auditees() field {
	f := d.field("auditee_ids", "checkboxes", "", "The people whose work is audited.")
	for _, m := range d.Members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name, Selected: slices.Contains(d.Form.AuditeeIDs, m.UserID)})
	}
	return f
}

// itemForm is a checklist item's form as typed.
type itemForm struct {
	Result, Notes, Evidence, Version string
}

func itemFormFrom(v url.Values) itemForm {
	return itemForm{Result: v.Get("result"), Notes: v.Get("notes"), Evidence: v.Get("evidence"), Version: v.Get("version")}
}

func (f itemForm) update() internalaudit.ItemUpdate {
	ev := words(f.Evidence)
	return internalaudit.ItemUpdate{Version: formInt(f.Version), Result: &f.Result, Notes: &f.Notes, Evidence: &ev}
}

// reportForm is the report form as typed.
type reportForm struct {
	Summary, Conclusion, Version string
}

// internalAuditData is what an audit's page shows, with a form as typed and its problems.
type internalAuditData struct {
	Audit     *internalaudit.Audit
	IsAuditor bool
	StartErrs formErrors
	// ItemNumber names the checklist item whose form Item and ItemErrs belong to.
	ItemNumber int
	Item       itemForm
	ItemErrs   formErrors
	Report     reportForm
	ReportErrs formErrors
}

// itemForm returns the form of a checklist item: as typed when it was refused, else as stored.
func (d internalAuditData) itemForm(it internalaudit.Item) (itemForm, formErrors) {
	if it.Number == d.ItemNumber {
		return d.Item, d.ItemErrs
	}
	return itemForm{Result: it.Result, Notes: it.Notes, Evidence: strings.Join(it.Evidence, ", "), Version: strconv.Itoa(it.Version)}, formErrors{}
}

// resultField is the select of results of a checklist item.
func resultField(prefix string, f itemForm, errs formErrors) field {
	fd := iaField(prefix, "result", "select", f.Result, "", errs)
	for _, o := range internalaudit.Results {
		fd.Options = append(fd.Options, option{Value: o.Value, Label: o.Label, Selected: o.Value == f.Result})
	}
	return fd
}

// reportForm returns the report form, filled with the audit's version when first shown.
func (d internalAuditData) reportForm() reportForm {
	if d.Report.Version == "" {
		return reportForm{Version: strconv.Itoa(d.Audit.Version)}
	}
	return d.Report
}

// resultBadge is the class of a result's badge.
func resultBadge(result string) string {
	switch result {
	case internalaudit.ResultMajor:
		return "badge badge-danger"
	case internalaudit.ResultMinor:
		return "badge badge-warn"
	case internalaudit.ResultConforming:
		return "badge badge-ok"
	case internalaudit.ResultNotAssessed:
		return "badge badge-muted"
	}
	return "badge"
}

// auditeeNames lists the auditees' names.
func auditeeNames(a *internalaudit.Audit) string {
	names := make([]string, len(a.Auditees))
	for i, p := range a.Auditees {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// iaOr is s, or "none" when s is empty.
func iaOr(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
