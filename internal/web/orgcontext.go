package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/aims-dev/aims/internal/tlog"
)

func init() {
	for k, v := range map[string]string{
		orgcontext.ActionEdit: "edited the draft context", orgcontext.ActionApprove: "approved the context",
	} {
		actionLabels[k] = v
	}
}

// contextRoutes adds the pages of the organisation's context.
func (h *handler) contextRoutes(signed route) {
	signed("GET /context", h.contextPage)
	signed("POST /context", h.contextSave)
	signed("GET /context/edit", h.contextEdit)
	signed("POST /context/approve", h.contextApprove)
	signed("GET /context/versions/{number}", h.contextVersion)
	signed("GET /context/compare", h.contextCompare)
}

// contextBlankRows is how many empty rows the edit form offers under each list, so that it works without JavaScript.
const contextBlankRows = 3

// contextData is what the context's page shows.
type contextData struct {
	Draft    *orgcontext.Draft
	InForce  *orgcontext.Version
	Versions []orgcontext.VersionInfo
	History  []eventView
	Approve  approveContextForm
	Errs     formErrors
}

// approveContextForm is the approval form as typed.
type approveContextForm struct {
	Months string
	Note   string
}

// contextPage shows the version in force, the state of the draft, the versions and the history.
func (h *handler) contextPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showContext(w, r, a, http.StatusOK, contextData{Approve: approveContextForm{Months: strconv.Itoa(orgcontext.ReviewMonths)}})
}

func (h *handler) showContext(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d contextData) {
	ctx := r.Context()
	var err error
	if d.Draft, err = h.Context.Draft(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Versions, err = h.Context.Versions(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(d.Versions) > 0 {
		if d.InForce, err = h.Context.Version(ctx, a, d.Versions[0].Number); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if d.History, err = h.history(r, a, "", func(ctx context.Context, a *aims.Actor, _ string) ([]tlog.Event, error) {
		return h.Context.History(ctx, a)
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Context of the organisation", "context", func(v view) templ.Component { return contextView(v, d) })
}

// contextApprove approves the draft as the next version.
func (h *handler) contextApprove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := approveContextForm{Months: r.PostForm.Get("review_months"), Note: r.PostForm.Get("note")}
	req := orgcontext.ApproveRequest{Version: formInt(r.PostForm.Get("version")), Note: f.Note}
	if m := strings.TrimSpace(f.Months); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			n = -1
		}
		req.ReviewMonths = n
	}
	v, err := h.Context.Approve(r.Context(), a, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showContext(w, r, a, status, contextData{Approve: f, Errs: fe})
		return
	}
	h.flash(r.Context(), v.Ref+" is approved and in force. Its next review is due on "+v.NextReviewOn+".")
	seeOther(w, r, "/context")
}

// contextFormData is what the edit form shows.
type contextFormData struct {
	Version string
	Content orgcontext.Content
	Systems []aisystem.System
	// Sites and Activities are the lists as typed, one per line.
	Sites, Activities string
	Errs              formErrors
}

// contextEdit shows the draft in the edit form.
func (h *handler) contextEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActDocumentEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	dr, err := h.Context.Draft(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showContextForm(w, r, a, http.StatusOK, contextFormData{Version: strconv.Itoa(dr.Version), Content: dr.Content,
		Sites: strings.Join(dr.Scope.Sites, "\n"), Activities: strings.Join(dr.Scope.Activities, "\n")})
}

func (h *handler) showContextForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d contextFormData) {
	var err error
	if d.Systems, err = h.modelSystems(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Edit the draft context", "context", func(v view) templ.Component { return contextFormView(v, d) })
}

// contextSave saves the edit form as the draft.
func (h *handler) contextSave(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := contextFormData{Version: f.Get("version"), Sites: f.Get("scope.sites"), Activities: f.Get("scope.activities")}
	c := &d.Content
	c.InternalIssues = contextFormIssues(f, "internal_issues")
	c.ExternalIssues = contextFormIssues(f, "external_issues")
	for i := 0; f.Has(contextRowName("interested_parties", i, "name")); i++ {
		c.Parties = append(c.Parties, orgcontext.Party{Name: f.Get(contextRowName("interested_parties", i, "name")),
			Needs: f.Get(contextRowName("interested_parties", i, "needs")), Addressed: f.Get(contextRowName("interested_parties", i, "addressed")),
			ClimateRelated: f.Get(contextRowName("interested_parties", i, "climate_related")) == "1"})
	}
	c.Scope.Statement = f.Get("scope.statement")
	for _, ref := range f["scope.systems"] {
		c.Scope.Systems = append(c.Scope.Systems, orgcontext.SystemLink{Ref: ref})
	}
	c.Scope.Sites, c.Scope.Activities = lines(d.Sites), lines(d.Activities)
	for i := 0; f.Has(contextRowName("scope.exclusions", i, "what")); i++ {
		c.Scope.Exclusions = append(c.Scope.Exclusions, orgcontext.Exclusion{What: f.Get(contextRowName("scope.exclusions", i, "what")),
			Justification: f.Get(contextRowName("scope.exclusions", i, "justification"))})
	}
	c.Climate = orgcontext.Climate{Decision: f.Get("climate.decision"), Justification: f.Get("climate.justification")}
	dr, err := h.Context.SaveDraft(r.Context(), a, orgcontext.DraftRequest{Version: formInt(d.Version), Content: *c})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs = fe
		h.showContextForm(w, r, a, status, d)
		return
	}
	if strconv.Itoa(dr.Version) == d.Version {
		h.flash(r.Context(), "Nothing was changed.")
	} else {
		h.flash(r.Context(), "The draft context is saved (version "+strconv.Itoa(dr.Version)+").")
	}
	seeOther(w, r, "/context")
}

// contextFormIssues reads the rows of a list of issues.
func contextFormIssues(f map[string][]string, list string) []orgcontext.Issue {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var out []orgcontext.Issue
	for i := 0; ; i++ {
		if _, ok := f[contextRowName(list, i, "issue")]; !ok {
			return out
		}
		out = append(out, orgcontext.Issue{Issue: get(contextRowName(list, i, "issue")), Effect: get(contextRowName(list, i, "effect"))})
	}
}

// contextRowName is the name of a field of a row, as the service names it: internal_issues[2].effect.
func contextRowName(list string, i int, field string) string {
	return list + "[" + strconv.Itoa(i) + "]." + field
}

// contextFieldID turns a field name into an element id: internal_issues[2].effect → internal_issues-2-effect.
func contextFieldID(name string) string {
	return strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(name)
}

// contextVersion shows an approved version.
func (h *handler) contextVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n < 1 {
		h.notFound(w, r)
		return
	}
	v, err := h.Context.Version(r.Context(), a, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, v.Ref, "context", func(vw view) templ.Component { return contextVersionView(vw, v) })
}

// contextCompareData is what the comparison page shows.
type contextCompareData struct {
	Versions   []orgcontext.VersionInfo
	Comparison *orgcontext.Comparison
	From, To   int
}

// contextCompare compares two versions, or a version with the draft.
func (h *handler) contextCompare(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	d := contextCompareData{From: formInt(r.URL.Query().Get("from")), To: formInt(r.URL.Query().Get("to"))}
	var err error
	if d.Versions, err = h.Context.Versions(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if !r.URL.Query().Has("from") && len(d.Versions) > 0 {
		d.From = d.Versions[0].Number
	}
	if d.Comparison, err = h.Context.Compare(ctx, a, max(d.From, 0), max(d.To, 0)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Compare versions of the context", "context", func(v view) templ.Component { return contextCompareView(v, d) })
}

// versionOptions are the choices of a comparison's side; zero is the draft or nothing.
func (d contextCompareData) versionOptions(selected int, zero string) []option {
	out := []option{{Value: "0", Label: zero, Selected: selected == 0}}
	for _, v := range d.Versions {
		out = append(out, option{Value: strconv.Itoa(v.Number), Label: v.Ref + " (" + v.ApprovedAt.Format(orgcontext.DateLayout) + ")", Selected: selected == v.Number})
	}
	return out
}

// contextClimateLabel says a climate decision in words.
func contextClimateLabel(d string) string {
	switch d {
	case orgcontext.ClimateRelevant:
		return "Climate change is a relevant issue"
	case orgcontext.ClimateNotRelevant:
		return "Climate change is not a relevant issue"
	}
	return "Not decided yet"
}

// contextLabels name the context's fields for people.
var contextLabels = map[string]string{
	"scope.statement": "Scope statement", "scope.systems": "AI systems in scope", "scope.sites": "Sites",
	"scope.activities": "Activities", "climate.decision": "Climate decision", "climate.justification": "Climate justification",
	"review_months": "Review interval", "version": "Version",
}

// contextLabel names a field, such as external_issues[2].effect, for people.
func contextLabel(f string) string {
	if l, ok := contextLabels[f]; ok {
		return l
	}
	for list, name := range map[string]string{"internal_issues": "Internal issue", "external_issues": "External issue",
		"interested_parties": "Interested party", "scope.exclusions": "Exclusion"} {
		if rest, ok := strings.CutPrefix(f, list+"["); ok {
			n, field, _ := strings.Cut(rest, "].")
			i, _ := strconv.Atoi(n)
			return name + " " + strconv.Itoa(i+1) + " " + strings.ReplaceAll(field, "_", " ")
		}
	}
	return fieldLabel(f)
}

// contextSummary lists the form's problems, each linked to its control.
func contextSummary(fe formErrors) []summaryItem {
	out := make([]summaryItem, len(fe.Fields))
	for i, f := range fe.Fields {
		out[i] = summaryItem{Text: contextLabel(f.Field) + " " + f.Message, Href: "#" + contextFieldID(f.Field)}
	}
	return out
}

// field describes a control of the form named as the service names the field.
func (d contextFormData) field(name, label, typ, value, hint string, required bool) field {
	return field{ID: contextFieldID(name), Name: name, Label: label, Type: typ, Value: value, Hint: hint, Required: required,
		Err: d.Errs.For(name), Wide: true, Rows: 3}
}

// rowField describes a control of a row of a list.
func (d contextFormData) rowField(list string, i int, name, label, typ, value string) field {
	n := contextRowName(list, i, name)
	return field{ID: contextFieldID(n), Name: n, Label: label, Type: typ, Value: value, Err: d.Errs.For(n), Rows: 2}
}

// systemsField offers the organisation's AI systems for the scope.
func (d contextFormData) systemsField() field {
	in := map[string]bool{}
	for _, s := range d.Content.Scope.Systems {
		in[strings.ToUpper(s.Ref)] = true
	}
	f := field{ID: "scope-systems", Name: "scope.systems", Label: "AI systems in scope", Err: d.Errs.For("scope.systems"),
		Hint: "The AI systems the AIMS covers."}
	for _, s := range d.Systems {
		f.Options = append(f.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: in[s.Ref]})
	}
	return f
}

// climateField is the decision on climate change.
func (d contextFormData) climateField() field {
	f := field{ID: "climate-decision", Name: "climate.decision", Label: "Is climate change a relevant issue?", Type: "select",
		Err: d.Errs.For("climate.decision"), Hint: "ISO/IEC 42001 asks the organisation to decide and say why."}
	for _, o := range []string{orgcontext.ClimateUndecided, orgcontext.ClimateRelevant, orgcontext.ClimateNotRelevant} {
		f.Options = append(f.Options, option{Value: o, Label: contextClimateLabel(o), Selected: d.Content.Climate.Decision == o})
	}
	return f
}
