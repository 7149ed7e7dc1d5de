package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
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

// soaSystem shows the Statement as it applies to one AI system.
func (h *handler) soaSystem(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v, err := h.SoA.ForSystem(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Statement of Applicability for "+v.SystemRef, "soa", func(vw view) templ.Component { return soaSystemView(vw, v) })
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
