package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/soa"
)

// soaRoutes adds the Statement of Applicability pages.
func (h *handler) soaRoutes(signed route) {
	signed("GET /soa", h.soaPage)
	signed("POST /soa/scope", h.soaScope)
	signed("POST /soa/approve", h.soaApprove)
	signed("GET /soa/export", h.soaExportDraft)
	signed("GET /soa/controls/{id}", h.soaControl)
	signed("POST /soa/controls/{id}", h.soaSetEntry)
	signed("POST /soa/controls/{id}/overrides/{system}/remove", h.soaRemoveOverride)
	signed("GET /soa/systems/{ref}", h.soaSystem)
	signed("GET /soa/versions", h.soaVersions)
	signed("GET /soa/versions/{n}", h.soaVersion)
	signed("GET /soa/versions/{n}/export", h.soaExportVersion)
	signed("GET /soa/compare", h.soaCompare)
}

// soaData is what the draft's page shows.
type soaData struct {
	Draft  *soa.Draft
	Groups []entryGroup
	// Scope and Approve are the page's two forms, as typed.
	Scope   scopeForm
	Approve approveForm
}

// scopeForm is the scope form as typed.
type scopeForm struct {
	Scope   string
	Version string
	Errs    formErrors
}

// approveForm is the approval form as typed.
type approveForm struct {
	Note string
	Errs formErrors
}

// entryGroup is the controls of one Annex A category.
type entryGroup struct {
	ID      string
	Heading string
	Entries []soa.Entry
}

// groupEntries groups entries by category in the order they come; own
// controls outside the categories come last.
func groupEntries(entries []soa.Entry) []entryGroup {
	var out []entryGroup
	index := map[string]int{}
	for _, e := range entries {
		i, ok := index[e.CategoryID]
		if !ok {
			g := entryGroup{ID: e.CategoryID, Heading: strings.TrimSpace(e.CategoryID + " " + e.CategoryTitle)}
			if e.CategoryID == "" {
				g.ID, g.Heading = "own", "Own controls"
			}
			i = len(out)
			index[e.CategoryID] = i
			out = append(out, g)
		}
		out[i].Entries = append(out[i].Entries, e)
	}
	if i, ok := index[""]; ok && i != len(out)-1 {
		own := out[i]
		out = append(append(out[:i:i], out[i+1:]...), own)
	}
	return out
}

// soaPage shows the draft: scope, progress, approval and every control.
func (h *handler) soaPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showSoA(w, r, a, http.StatusOK, soaData{})
}

// showSoA renders the draft's page with the forms as given; an empty scope
// form is filled from the draft.
func (h *handler) showSoA(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d soaData) {
	dr, err := h.SoA.Draft(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Draft, d.Groups = dr, groupEntries(dr.Entries)
	if d.Scope.Version == "" {
		d.Scope = scopeForm{Scope: dr.Scope, Version: strconv.Itoa(dr.ScopeVersion)}
	}
	h.show(w, r, status, "Statement of Applicability", "soa", func(v view) templ.Component { return soaView(v, d) })
}

// soaScope saves the scope form.
func (h *handler) soaScope(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := scopeForm{Scope: r.PostForm.Get("scope"), Version: r.PostForm.Get("version")}
	_, err := h.SoA.SetScope(r.Context(), a, soa.ScopeRequest{Scope: f.Scope, Version: formInt(f.Version)})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showSoA(w, r, a, status, soaData{Scope: f})
		return
	}
	h.flash(r.Context(), "The scope is saved.")
	seeOther(w, r, "/soa")
}

// soaApprove approves the draft as the next version.
func (h *handler) soaApprove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := approveForm{Note: r.PostForm.Get("note")}
	v, err := h.SoA.Approve(r.Context(), a, soa.ApproveRequest{Note: f.Note})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showSoA(w, r, a, status, soaData{Approve: f})
		return
	}
	h.flash(r.Context(), "Version "+strconv.Itoa(v.Number)+" is approved. The audit checkpoint signed with it covers "+
		plural(v.Checkpoint.Size, "entry", "entries")+" of the audit log, the approval last.")
	seeOther(w, r, "/soa/versions/"+strconv.Itoa(v.Number))
}

// formInt reads a whole number from a form; anything else is -1, which the
// services refuse by name.
func formInt(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// entryForm is a decision's form as typed: for the organisation, for one
// AI system's override, or for a new override.
type entryForm struct {
	// Key tells the page's forms apart: "org", "new", or a system's reference.
	Key string
	// System is the AI system's reference; empty for the organisation.
	System        string
	Applicable    string
	Justification string
	Status        string
	OwnerID       string
	TargetDate    string
	Version       string
	Errs          formErrors
	// Stored shows the stored decision with these problems, rather than typed values.
	Stored bool
}

// entryFormOf fills a form from a stored decision.
func entryFormOf(key, system string, d *soa.Decision) entryForm {
	f := entryForm{Key: key, System: system, Version: "0"}
	if d != nil {
		f.Applicable = yesNo(d.Applicable)
		f.Justification, f.Status, f.OwnerID, f.TargetDate = d.Justification, d.Status, d.OwnerID, d.TargetDate
		f.Version = strconv.Itoa(d.Version)
	}
	return f
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// entryFormFrom reads a posted decision form.
func entryFormFrom(v url.Values) entryForm {
	f := entryForm{System: strings.TrimSpace(v.Get("system")), Applicable: v.Get("applicable"), Justification: v.Get("justification"),
		Status: v.Get("status"), OwnerID: v.Get("owner_id"), TargetDate: v.Get("target_date"), Version: v.Get("version")}
	switch {
	case v.Get("new") != "":
		f.Key = "new"
	case f.System != "":
		f.Key = strings.ToUpper(f.System)
	default:
		f.Key = "org"
	}
	return f
}

// request is the form as a service request.
func (f entryForm) request() soa.EntryRequest {
	req := soa.EntryRequest{Justification: f.Justification, Status: f.Status, OwnerID: f.OwnerID, TargetDate: f.TargetDate,
		Version: formInt(f.Version)}
	switch f.Applicable {
	case "yes":
		req.Applicable = ptrTo(true)
	case "no":
		req.Applicable = ptrTo(false)
	}
	// A status chosen before switching to "does not apply" is not an error of the person's.
	if f.Applicable == "no" {
		req.Status = ""
	}
	return req
}

func ptrTo[T any](v T) *T { return &v }

// soaControlData is what a control's decision page shows.
type soaControlData struct {
	Entry *soa.Entry
	// Org is the organisation's decision form; Overrides one per AI system
	// with an override; New the form that adds one.
	Org       entryForm
	Overrides []overrideView
	New       entryForm
	Members   []identity.Membership
	// Systems are the active AI systems without an override, for the new override's choice.
	Systems []aisystem.System
	// Prev and Next are the neighbouring controls, for moving along.
	Prev, Next *soa.Entry
}

// overrideView is one override with its form.
type overrideView struct {
	Override soa.Override
	Form     entryForm
}

// soaControl shows a control's decisions and their forms.
func (h *handler) soaControl(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showControl(w, r, a, http.StatusOK, entryForm{})
}

// showControl renders a control's page; posted, when it has a key, is the
// form that was sent, shown as typed with its problems.
func (h *handler) showControl(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, posted entryForm) {
	ctx := r.Context()
	dr, err := h.SoA.Draft(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id := strings.TrimSpace(r.PathValue("id"))
	d := soaControlData{}
	for i := range dr.Entries {
		if strings.EqualFold(dr.Entries[i].ControlID, id) {
			d.Entry = &dr.Entries[i]
			if i > 0 {
				d.Prev = &dr.Entries[i-1]
			}
			if i < len(dr.Entries)-1 {
				d.Next = &dr.Entries[i+1]
			}
		}
	}
	if d.Entry == nil {
		h.fail(w, r, aims.NotFound("control", id))
		return
	}
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.Systems.List(ctx, a, aisystem.ListQuery{Status: aisystem.StatusActive, Sort: "ref", Limit: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	taken := map[string]bool{}
	d.Org = entryFormOf("org", "", d.Entry.Decision)
	for _, o := range d.Entry.Overrides {
		dec := o.Decision
		d.Overrides = append(d.Overrides, overrideView{Override: o, Form: entryFormOf(o.SystemRef, o.SystemRef, &dec)})
		taken[o.SystemID] = true
	}
	for _, s := range page.Items {
		if !taken[s.ID] {
			d.Systems = append(d.Systems, s)
		}
	}
	d.New = entryForm{Key: "new", Version: "0"}
	switch posted.Key {
	case "":
	case "org":
		d.Org = posted
	case "new":
		d.New = posted
	default:
		found := false
		for i := range d.Overrides {
			if strings.EqualFold(d.Overrides[i].Override.SystemRef, posted.Key) {
				found = true
				if posted.Stored {
					d.Overrides[i].Form.Errs = posted.Errs
				} else {
					d.Overrides[i].Form = posted
				}
			}
		}
		if !found && !posted.Stored {
			// The override went away meanwhile: offer the typed values as a new one.
			posted.Key, posted.Version = "new", "0"
			d.New = posted
		}
	}
	e := d.Entry
	h.show(w, r, status, e.ControlID+" "+e.Title, "soa", func(v view) templ.Component { return soaControlView(v, d) })
}

// soaSetEntry saves one of a control's decision forms.
func (h *handler) soaSetEntry(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := entryFormFrom(r.PostForm)
	if f.Key == "new" && f.System == "" {
		f.Errs = formErrors{Message: "Some values need your attention. Correct them and send the form again.",
			Fields: []aims.FieldError{{Field: "system", Message: "is required: choose the AI system"}}}
		h.showControl(w, r, a, http.StatusUnprocessableEntity, f)
		return
	}
	e, err := h.SoA.SetEntry(r.Context(), a, r.PathValue("id"), f.System, f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showControl(w, r, a, status, f)
		return
	}
	what := e.ControlID
	if f.System != "" {
		what += " for " + strings.ToUpper(f.System)
	}
	h.flash(r.Context(), "The decision on "+what+" is saved.")
	seeOther(w, r, "/soa/controls/"+url.PathEscape(e.ControlID))
}

// soaRemoveOverride removes an AI system's override of a control.
func (h *handler) soaRemoveOverride(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	system := r.PathValue("system")
	e, err := h.SoA.RemoveOverride(r.Context(), a, r.PathValue("id"), system, formInt(r.PostForm.Get("version")))
	if err != nil {
		if aims.CodeOf(err) == aims.CodeConflict {
			f := entryForm{Key: strings.ToUpper(system), Stored: true}
			f.Errs, _, _ = formProblem(err)
			h.showControl(w, r, a, http.StatusConflict, f)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "The override for "+strings.ToUpper(system)+" is removed; the organisation's decision on "+e.ControlID+" applies to it again.")
	seeOther(w, r, "/soa/controls/"+url.PathEscape(e.ControlID))
}

// soaSystem shows the Statement as it applies to one AI system.
func (h *handler) soaSystem(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v, err := h.SoA.ForSystem(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Statement of Applicability for "+v.SystemRef, "soa", func(vw view) templ.Component { return soaSystemView(vw, v) })
}

// soaVersions lists the approved versions.
func (h *handler) soaVersions(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	vs, err := h.SoA.Versions(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Versions of the Statement of Applicability", "soa", func(v view) templ.Component { return soaVersionsView(v, vs) })
}

// versionNumber reads the {n} of a path; anything but a positive number is not a version.
func versionNumber(r *http.Request) (int, error) {
	s := r.PathValue("n")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, aims.NotFound("Statement of Applicability version", s)
	}
	return n, nil
}

// soaVersion shows an approved version, read-only.
func (h *handler) soaVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := versionNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ver, err := h.SoA.Version(r.Context(), a, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	groups := groupEntries(ver.Controls)
	h.show(w, r, http.StatusOK, "Statement of Applicability, version "+strconv.Itoa(n), "soa",
		func(v view) templ.Component { return soaVersionView(v, ver, groups) })
}

// soaExportDraft downloads the draft.
func (h *handler) soaExportDraft(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.download(w, r, a, 0)
}

// soaExportVersion downloads an approved version.
func (h *handler) soaExportVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := versionNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.download(w, r, a, n)
}

// download answers an export as an attachment.
func (h *handler) download(w http.ResponseWriter, r *http.Request, a *aims.Actor, n int) {
	f, err := h.SoA.Export(r.Context(), a, n, r.URL.Query().Get("format"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

// compareData is what the comparison page shows.
type compareData struct {
	Versions []soa.VersionSummary
	// From and To are the chosen sides as typed: a number, or "draft".
	From, To string
	Result   *soa.Comparison
	Errs     formErrors
}

// compareSide reads one side of a comparison: a version number, or the draft.
func compareSide(p *aims.Problems, field, s string) int {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "draft") || s == "0" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(s), "v"))
	if err != nil || n < 1 {
		p.Add(field, "must be a version number or the draft")
	}
	return n
}

// soaCompare compares two versions, or a version and the draft.
func (h *handler) soaCompare(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	vs, err := h.SoA.Versions(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := compareData{Versions: vs, From: q.Get("from"), To: q.Get("to")}
	if d.From == "" && d.To == "" {
		// By default: the latest version against the draft, when there is one.
		if len(vs) == 0 {
			h.show(w, r, http.StatusOK, "Compare versions", "soa", func(v view) templ.Component { return soaCompareView(v, d) })
			return
		}
		d.From, d.To = strconv.Itoa(vs[0].Number), "draft"
	}
	var p aims.Problems
	from, to := compareSide(&p, "from", d.From), compareSide(&p, "to", d.To)
	status := http.StatusOK
	if err = p.Err(); err == nil {
		d.Result, err = h.SoA.Compare(ctx, a, from, to)
	}
	if err != nil {
		fe, st, ok := formProblem(err)
		if !ok && aims.CodeOf(err) != aims.CodeNotFound {
			h.fail(w, r, err)
			return
		}
		if !ok {
			fe, st = formErrors{Message: sentence(aims.AsError(err).Message) + "."}, http.StatusNotFound
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Compare versions", "soa", func(v view) templ.Component { return soaCompareView(v, d) })
}

// soaFieldLabels name the fields of a decision for people.
var soaFieldLabels = map[string]string{
	"applicable":    "Applicable",
	"justification": "Justification",
	"status":        "Implementation status",
	"owner_id":      "Owner",
	"owner":         "Owner",
	"target_date":   "Target date",
	"version":       "Version",
	"system":        "AI system",
	"scope":         "Scope",
	"note":          "Note",
	"evidence":      "Evidence",
	"from":          "From",
	"to":            "To",
}

// soaLabel names a field of the Statement for people.
func soaLabel(f string) string {
	if l, ok := soaFieldLabels[f]; ok {
		return l
	}
	return fieldLabel(f)
}

// soaSummary lists a form's problems with the Statement's own labels,
// linking each to its field when it is on the form.
func soaSummary(fe formErrors, ids map[string]string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: soaLabel(f.Field) + " " + f.Message}
		if id, ok := ids[f.Field]; ok {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// prefix starts the ids of a form's controls, so that several forms can
// share a page: none for the organisation's decision.
func (f entryForm) prefix() string {
	if f.Key == "org" || f.Key == "" {
		return ""
	}
	return strings.ToLower(f.Key) + "-"
}

// ids maps the form's fields to the ids of their controls.
func (f entryForm) ids() map[string]string {
	p := f.prefix()
	out := map[string]string{"applicable": p + "applicable", "justification": p + "justification", "status": p + "status",
		"owner_id": p + "owner_id", "target_date": p + "target_date"}
	if f.Key == "new" {
		out["system"] = p + "system"
	}
	return out
}

// field is one control of the form, labelled and with its problem.
func (f entryForm) field(name, typ, value, hint string) field {
	return field{ID: f.prefix() + name, Name: name, Label: soaLabel(name), Type: typ, Value: value, Hint: hint,
		Err: f.Errs.For(name), Wide: typ == "textarea"}
}

// applicable is the yes/no choice.
func (f entryForm) applicable() field {
	fl := f.field("applicable", "radio", f.Applicable, "")
	fl.Required = true
	fl.Label = "Does the control apply?"
	if f.System != "" || f.Key == "new" {
		fl.Label = "Does the control apply to this AI system?"
	}
	fl.Options = []option{
		{Value: "yes", Label: "Yes, it applies", Selected: f.Applicable == "yes"},
		{Value: "no", Label: "No, it is excluded", Selected: f.Applicable == "no"},
	}
	return fl
}

func (f entryForm) justification() field {
	fl := f.field("justification", "textarea", f.Justification,
		"Why the control is included or excluded. Auditors read this; at most 4000 characters.")
	fl.Required, fl.Rows = true, 4
	return fl
}

func (f entryForm) status() field {
	fl := f.field("status", "select", "", "Required when the control applies; leave it empty when it does not.")
	fl.Options = []option{{Value: "", Label: "No status (the control does not apply)", Selected: f.Status == ""}}
	for _, o := range soa.Statuses {
		fl.Options = append(fl.Options, option{Value: o.Value, Label: o.Label, Selected: o.Value == f.Status})
	}
	return fl
}

// owner is the select of the organisation's members; a former member who
// still owns the decision stays a choice.
func (f entryForm) owner(members []identity.Membership, storedName string) field {
	fl := f.field("owner_id", "select", "", "The person responsible for the control.")
	fl.Options = []option{{Value: "", Label: "No owner yet", Selected: f.OwnerID == ""}}
	found := f.OwnerID == ""
	for _, m := range members {
		label := m.Name + " (" + m.Email + ")"
		sel := m.UserID == f.OwnerID
		found = found || sel
		fl.Options = append(fl.Options, option{Value: m.UserID, Label: label, Selected: sel})
	}
	if !found {
		name := "A former member"
		if storedName != "" {
			name = storedName + " (no longer a member)"
		}
		fl.Options = append(fl.Options, option{Value: f.OwnerID, Label: name, Selected: true})
	}
	return fl
}

func (f entryForm) targetDate() field {
	return f.field("target_date", "date", f.TargetDate, "When the control is to be implemented, if it is not yet.")
}

// system is the choice of AI system for a new override.
func (f entryForm) system(systems []aisystem.System) field {
	fl := f.field("system", "select", "", "The AI system whose decision differs from the organisation's.")
	fl.Required = true
	fl.Options = []option{{Value: "", Label: "Choose an AI system", Selected: f.System == ""}}
	for _, s := range systems {
		fl.Options = append(fl.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, f.System)})
	}
	return fl
}

// ownerNameOf is the stored owner's name of a decision, for a former member.
func ownerNameOf(d *soa.Decision) string {
	if d == nil {
		return ""
	}
	return d.OwnerName
}

// decisionText words a decision's applicability.
func decisionText(d *soa.Decision) string {
	switch {
	case d == nil:
		return "Undecided"
	case d.Applicable:
		return "Applies"
	}
	return "Excluded"
}

// decisionClass is the badge class of a decision.
func decisionClass(d *soa.Decision) string {
	switch {
	case d == nil:
		return "badge badge-warn"
	case d.Applicable:
		return "badge badge-ok"
	}
	return "badge badge-muted"
}

// excerpt shortens a text to about n characters at a word.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndex(string(r), " "); i > n/2 {
		return string(r)[:i] + " …"
	}
	return string(r) + "…"
}

// scopeFields maps the scope form's fields to their controls.
var scopeFields = map[string]string{"scope": "scope", "version": "scope"}

// approveFields maps the approval form's fields to their controls.
var approveFields = map[string]string{"note": "note"}

// scopeField is the scope textarea.
func (f scopeForm) field() field {
	return field{ID: "scope", Name: "scope", Label: "Scope", Type: "textarea", Value: f.Scope, Rows: 5, Wide: true,
		Hint: "The AI management system this Statement covers: organisational units, sites, AI systems and activities (clause 4.3).",
		Err:  f.Errs.For("scope")}
}

// noteField is the approval note.
func (f approveForm) field() field {
	return field{ID: "note", Name: "note", Label: "Note", Type: "textarea", Value: f.Note, Rows: 2, Wide: true,
		Hint: "Optional: what this version changes, or the decision that approved it.", Err: f.Errs.For("note")}
}

// progressText says how many controls are decided.
func progressText(d *soa.Draft) string {
	return strconv.Itoa(d.Decided) + " of " + strconv.Itoa(d.Total) + " decided"
}

// firstBlockers are the first controls that block approval, to link to.
func firstBlockers(d *soa.Draft) []string {
	return d.Blockers[:min(len(d.Blockers), 10)]
}

// nextVersion is the number the draft would be approved as.
func nextVersion(d *soa.Draft) string { return strconv.Itoa(d.LatestVersion + 1) }

// sourceText words where an AI system's effective decision comes from.
func sourceText(s string) string {
	switch s {
	case soa.SourceSystem:
		return "This system"
	case soa.SourceOrganisation:
		return "Organisation"
	}
	return "Undecided"
}

// compareValue words a compared field's value for people.
func compareValue(field, v string) string {
	if v == "" {
		return ""
	}
	if field == "status" {
		return soa.StatusLabel(v)
	}
	return v
}

// kindClass is the badge class of a kind of difference.
func kindClass(kind string) string {
	switch kind {
	case soa.KindAdded:
		return "badge badge-ok"
	case soa.KindRemoved:
		return "badge badge-warn"
	}
	return "badge"
}

// versionOptions are the choices of a comparison's side: the draft and every version.
func versionOptions(vs []soa.VersionSummary, chosen string) []option {
	chosen = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(chosen)), "v")
	out := []option{{Value: "draft", Label: "The draft", Selected: chosen == "draft" || chosen == "0" || chosen == ""}}
	for _, v := range vs {
		n := strconv.Itoa(v.Number)
		out = append(out, option{Value: n, Label: "Version " + n + " (" + fmtTime(v.ApprovedAt) + ")", Selected: chosen == n})
	}
	return out
}

// exportFormats are the downloads offered, with their labels.
var exportFormats = []option{{Value: "pdf", Label: "PDF"}, {Value: "xlsx", Label: "XLSX"}, {Value: "csv", Label: "CSV"}, {Value: "md", Label: "Markdown"}}

// separator follows the i-th of n items in a list: a comma, or nothing after the last.
func separator(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}

// shownJustification is a justification in a table: an excerpt in the
// draft, whose pages show the rest, and whole in a version.
func shownJustification(s string, excerpted bool) string {
	if excerpted {
		return excerpt(s, 140)
	}
	return s
}
