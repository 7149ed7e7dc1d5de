package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/evidence"
)

// catalogRoutes adds the pages of the standard: clauses, controls, Annex C and crosswalks.
func (h *handler) catalogRoutes(signed route) {
	signed("GET /catalog", h.catalogPage)
	signed("GET /catalog/clauses/{id}", h.clausePage)
	signed("GET /catalog/controls/new", h.controlNew)
	signed("POST /catalog/controls", h.controlCreate)
	signed("GET /catalog/controls/{id}", h.controlPage)
	signed("GET /catalog/controls/{id}/edit", h.controlEdit)
	signed("POST /catalog/controls/{id}", h.controlUpdate)
	signed("POST /catalog/controls/{id}/archive", h.controlArchive)
	signed("POST /catalog/controls/{id}/restore", h.controlRestore)
	signed("GET /catalog/annex-c", h.annexCPage)
	signed("GET /catalog/frameworks/{id}", h.frameworkPage)
}

// clauseGroup is a top-level clause with its sub-clauses, under their headings.
type clauseGroup struct {
	Heading catalog.Heading
	// Subs are the intermediate headings (6.1, 7.5 …) with their sub-clauses;
	// sub-clauses directly under the top level have an empty heading.
	Subs []clauseSub
}

type clauseSub struct {
	Heading *catalog.Heading
	Clauses []catalog.ClauseView
}

// categoryGroup is an Annex A category with its controls.
type categoryGroup struct {
	Category catalog.Category
	Controls []catalog.Control
}

// catalogData is what the catalogue overview shows.
type catalogData struct {
	Q          string
	Clauses    []clauseGroup
	Categories []categoryGroup
	Own        []catalog.Control
	Matches    int
}

// catalogPage shows clauses 4–10 and the controls, searchable.
func (h *handler) catalogPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	q := r.URL.Query().Get("q")
	clauses, err := h.Catalog.ListClauses(ctx, a, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	controls, err := h.Catalog.Controls(ctx, a, catalog.ControlQuery{Q: q})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := catalogData{Q: q, Clauses: groupClauses(clauses), Matches: len(clauses) + len(controls)}
	for _, cat := range catalog.Categories() {
		g := categoryGroup{Category: cat}
		for _, c := range controls {
			if !c.Custom && c.CategoryID == cat.ID {
				g.Controls = append(g.Controls, c)
			}
		}
		if len(g.Controls) > 0 {
			d.Categories = append(d.Categories, g)
		}
	}
	for _, c := range controls {
		if c.Custom {
			d.Own = append(d.Own, c)
		}
	}
	h.show(w, r, http.StatusOK, "ISO/IEC 42001", "catalog", func(v view) templ.Component { return catalogView(v, d) })
}

// groupClauses arranges sub-clauses under their top-level and intermediate headings.
func groupClauses(cs []catalog.ClauseView) []clauseGroup {
	headings := map[string]catalog.Heading{}
	for _, hd := range catalog.Headings() {
		headings[hd.ID] = hd
	}
	var out []clauseGroup
	for _, c := range cs {
		if len(out) == 0 || out[len(out)-1].Heading.ID != c.Group {
			out = append(out, clauseGroup{Heading: headings[c.Group]})
		}
		g := &out[len(out)-1]
		if len(g.Subs) == 0 || subID(g.Subs[len(g.Subs)-1]) != c.Heading {
			sub := clauseSub{}
			if hd, ok := headings[c.Heading]; ok {
				sub.Heading = &hd
			}
			g.Subs = append(g.Subs, sub)
		}
		g.Subs[len(g.Subs)-1].Clauses = append(g.Subs[len(g.Subs)-1].Clauses, c)
	}
	return out
}

func subID(s clauseSub) string {
	if s.Heading == nil {
		return ""
	}
	return s.Heading.ID
}

// clausePage shows one sub-clause.
func (h *handler) clausePage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	c, err := h.Catalog.GetClause(ctx, a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ev, err := h.Evidence.ForTarget(ctx, a, "clause", c.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, c.ID+" "+c.Title, "catalog", func(v view) templ.Component { return clauseView(v, c, ev) })
}

// controlData is what a control's page shows.
type controlData struct {
	C        *catalog.ControlView
	Serves   map[string][]catalog.ItemRef
	History  []eventView
	Evidence []evidence.Evidence
}

// controlPage shows one control with its cross-references.
func (h *handler) controlPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	c, err := h.Catalog.GetControl(ctx, a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := controlData{C: c, Serves: map[string][]catalog.ItemRef{}}
	if d.Evidence, err = h.Evidence.ForTarget(ctx, a, "control", c.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, s := range c.Serves {
		d.Serves[s.Framework] = append(d.Serves[s.Framework], s)
	}
	if c.Custom {
		if d.History, err = h.history(r, a, c.ID, h.Catalog.History); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.show(w, r, http.StatusOK, c.ID+" "+c.Title, "catalog", func(v view) templ.Component { return controlView(v, d) })
}

// controlForm is the state of the form for an own control.
type controlForm struct {
	Existing *catalog.Control
	Req      catalog.ControlRequest
	Version  int
	Errs     formErrors
}

// controlFields maps the request's fields to their controls on the form.
var controlFields = map[string]string{"title": "title", "category_id": "category_id", "asks": "asks",
	"evidence": "evidence", "auditor_samples": "auditor_samples", "version": "title"}

func (h *handler) showControlForm(w http.ResponseWriter, r *http.Request, status int, f controlForm) {
	title := "Add an own control"
	if f.Existing != nil {
		title = "Edit " + f.Existing.ID
	}
	h.show(w, r, status, title, "catalog", func(v view) templ.Component { return controlFormView(v, f) })
}

// controlNew shows the form for a new own control.
func (h *handler) controlNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showControlForm(w, r, http.StatusOK, controlForm{})
}

func controlRequestFrom(r *http.Request) catalog.ControlRequest {
	f := r.PostForm
	return catalog.ControlRequest{Title: f.Get("title"), CategoryID: f.Get("category_id"), Asks: f.Get("asks"),
		Evidence: f.Get("evidence"), AuditorSamples: f.Get("auditor_samples")}
}

// controlCreate adds an own control.
func (h *handler) controlCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := controlForm{Req: controlRequestFrom(r)}
	c, err := h.Catalog.CreateControl(r.Context(), a, f.Req)
	if err != nil {
		h.controlFormFailed(w, r, f, err)
		return
	}
	h.flash(r.Context(), c.ID+" "+c.Title+" is added to your controls.")
	seeOther(w, r, "/catalog/controls/"+c.ID)
}

// controlFormFailed shows the form again with what was wrong, or fails.
func (h *handler) controlFormFailed(w http.ResponseWriter, r *http.Request, f controlForm, err error) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	f.Errs = fe
	h.showControlForm(w, r, status, f)
}

// controlEdit shows the form for changing an own control.
func (h *handler) controlEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	c, err := h.Catalog.Control(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !c.Custom {
		h.fail(w, r, aims.Errorf(aims.CodeForbidden, "%s is an Annex A control: only your own controls can be changed", c.ID))
		return
	}
	h.showControlForm(w, r, http.StatusOK, controlForm{Existing: c, Version: c.Version, Req: catalog.ControlRequest{
		Title: c.Title, CategoryID: c.CategoryID, Asks: c.Asks, Evidence: c.Evidence, AuditorSamples: c.AuditorSamples}})
}

// controlUpdate changes an own control.
func (h *handler) controlUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	c, err := h.Catalog.Control(ctx, a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	f := controlForm{Existing: c, Version: version, Req: controlRequestFrom(r)}
	if _, err := h.Catalog.UpdateControl(ctx, a, c.ID, catalog.UpdateControlRequest{Version: version, ControlRequest: f.Req}); err != nil {
		h.controlFormFailed(w, r, f, err)
		return
	}
	h.flash(ctx, "Your changes to "+c.ID+" are saved.")
	seeOther(w, r, "/catalog/controls/"+c.ID)
}

func (h *handler) controlArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	c, err := h.Catalog.ArchiveControl(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), c.ID+" is archived: Statements of Applicability no longer ask about it.")
	seeOther(w, r, "/catalog/controls/"+c.ID)
}

func (h *handler) controlRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	c, err := h.Catalog.RestoreControl(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), c.ID+" is active again.")
	seeOther(w, r, "/catalog/controls/"+c.ID)
}

// annexCPage shows Annex C's objectives and risk sources.
func (h *handler) annexCPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	items, err := h.Catalog.ListAnnexC(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Annex C", "catalog", func(v view) templ.Component { return annexCView(v, items) })
}

// frameworkPage shows a crosswalked framework item by item.
func (h *handler) frameworkPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	f, err := h.Catalog.GetFramework(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, f.Title, "catalog", func(v view) templ.Component { return frameworkView(v, f) })
}

// refHref links a clause or control id to its page.
func refHref(id string) templ.SafeURL {
	if _, ok := catalog.ClauseByID(id); ok {
		return templ.URL("/catalog/clauses/" + id)
	}
	return templ.URL("/catalog/controls/" + id)
}

// authorityLabel words how far a crosswalk can be trusted.
func authorityLabel(a string) string {
	switch a {
	case "official":
		return "Official crosswalk"
	case "analyst":
		return "Analyst judgement, checked against public crosswalks"
	default:
		return "Indicative only"
	}
}

// frameworkTitle names a framework by its id.
func frameworkTitle(id string) string {
	if f, ok := catalog.FrameworkByID(id); ok {
		return f.Title
	}
	return id
}

// categoryOptions offers the Annex A categories for an own control.
func categoryOptions(selected string) []option {
	out := []option{{Value: "", Label: "None of them", Selected: selected == ""}}
	for _, c := range catalog.Categories() {
		out = append(out, option{Value: c.ID, Label: c.ID + " " + c.Title, Selected: c.ID == selected})
	}
	return out
}

// anchorOf makes an item id usable as a fragment: "GOVERN 1.1" becomes "item-GOVERN-1-1".
func anchorOf(id string) string {
	b := []byte("item-")
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		default:
			if b[len(b)-1] != '-' {
				b = append(b, '-')
			}
		}
	}
	return string(b)
}

// controlTitle is the title of an Annex A control.
func controlTitle(id string) string {
	c, _ := catalog.BuiltinControl(id)
	return c.Title
}

// clauseTitle is the title of a sub-clause.
func clauseTitle(id string) string {
	c, _ := catalog.ClauseByID(id)
	return c.Title
}
