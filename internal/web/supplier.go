package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/supplier"
)

// supplierRoutes adds the pages of third parties and resources.
func (h *handler) supplierRoutes(signed route) {
	signed("GET /suppliers", h.partyList)
	signed("POST /suppliers", h.partyCreate)
	signed("GET /suppliers/new", h.partyNew)
	signed("GET /suppliers/{ref}", h.partyDetail)
	signed("POST /suppliers/{ref}", h.partyUpdate)
	signed("GET /suppliers/{ref}/edit", h.partyEdit)
	signed("POST /suppliers/{ref}/archive", h.partyArchive)
	signed("POST /suppliers/{ref}/restore", h.partyRestore)
	signed("POST /suppliers/{ref}/supplies", h.supplyAdd)
	signed("POST /suppliers/{ref}/supplies/{number}/remove", h.supplyRemove)
	signed("POST /suppliers/{ref}/assessments", h.partyAssess)
	h.raciRoutes(signed)
	h.resourceRoutes(signed)
	h.aibomRoutes(signed)
}

// partyListData is what the list of third parties shows.
type partyListData struct {
	Query supplier.PartyQuery
	Page  *supplier.PartyPage
	Due   []supplier.DueSupplier
	Errs  formErrors
}

// partyList lists the third parties, filtered, with the suppliers due for assessment first.
func (h *handler) partyList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	v := r.URL.Query()
	d := partyListData{Query: supplier.PartyQuery{Q: v.Get("q"), Kind: v.Get("kind"), Status: v.Get("status"),
		Due: v.Get("due") == "1", Offset: max(0, formInt(v.Get("offset")))}}
	var err error
	if d.Due, err = h.Suppliers.Due(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.Page, err = h.Suppliers.ListParties(ctx, a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Suppliers and customers", "suppliers", func(v view) templ.Component { return partyListView(v, d) })
}

// kindOptions are the filter's choices of kind.
func (d partyListData) kindOptions() []option {
	return []option{{Value: "", Label: "Any kind", Selected: d.Query.Kind == ""},
		{Value: "supplier", Label: "Suppliers", Selected: d.Query.Kind == "supplier"},
		{Value: "customer", Label: "Customers", Selected: d.Query.Kind == "customer"},
		{Value: "both", Label: "Both", Selected: d.Query.Kind == "both"}}
}

// pageHref is the list's address at another offset.
func (d partyListData) pageHref(offset int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": d.Query.Q, "kind": d.Query.Kind} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if d.Query.Status != "" && d.Query.Status != supplier.StatusActive {
		v.Set("status", d.Query.Status)
	}
	if d.Query.Due {
		v.Set("due", "1")
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	return "/suppliers?" + v.Encode()
}

// rangeText says which parties the page shows.
func (d partyListData) rangeText() string {
	if d.Page == nil || len(d.Page.Items) == 0 {
		return "No third parties match"
	}
	p := d.Page
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

func (d partyListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.pageHref(max(0, d.Page.Offset-d.Page.Limit))
}

func (d partyListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.pageHref(d.Page.Offset + d.Page.Limit)
}

// partyNew shows the form that records a third party.
func (h *handler) partyNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSupplierEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showPartyForm(w, r, http.StatusOK, partyFormData{Form: partyForm{Kind: "supplier"}})
}

func (h *handler) showPartyForm(w http.ResponseWriter, r *http.Request, status int, d partyFormData) {
	title := "Record a supplier or customer"
	if d.Party != nil {
		title = "Edit " + d.Party.Ref
	}
	h.show(w, r, status, title, "suppliers", func(v view) templ.Component { return partyFormView(v, d) })
}

// partyCreate records a third party from the posted form.
func (h *handler) partyCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := partyFormFrom(r.PostForm)
	p, err := h.Suppliers.CreateParty(r.Context(), a, f.create())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showPartyForm(w, r, status, partyFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), p.Ref+" "+p.Name+" is recorded. Add what it supplies or receives below.")
	seeOther(w, r, "/suppliers/"+p.Ref)
}

// partyEdit shows the edit form filled with the party's values.
func (h *handler) partyEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSupplierEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.Suppliers.GetParty(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showPartyForm(w, r, http.StatusOK, partyFormData{Party: p, Form: partyFormOf(p)})
}

// partyUpdate saves the edit form; every field is sent, with the version it was based on.
func (h *handler) partyUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	p, err := h.Suppliers.GetParty(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := partyFormFrom(r.PostForm)
	updated, err := h.Suppliers.UpdateParty(ctx, a, p.ID, f.update())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showPartyForm(w, r, status, partyFormData{Party: p, Form: f, Errs: fe})
		return
	}
	if updated.Version == p.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved (version "+strconv.Itoa(updated.Version)+").")
	}
	seeOther(w, r, "/suppliers/"+updated.Ref)
}

// partyArchive takes a party out of the active list.
func (h *handler) partyArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	p, err := h.Suppliers.ArchiveParty(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), p.Ref+" is archived. Its supplies, assessments and history are kept.")
	seeOther(w, r, "/suppliers/"+p.Ref)
}

// partyRestore returns an archived party to the active list.
func (h *handler) partyRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	p, err := h.Suppliers.RestoreParty(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), p.Ref+" is back in the active list.")
	seeOther(w, r, "/suppliers/"+p.Ref)
}

// partyDetail shows a party with its supplies, assessments and history.
func (h *handler) partyDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showParty(w, r, a, http.StatusOK, partyData{Supply: supplyForm{}, Assess: assessForm{}})
}

// showParty renders a party's page; d carries the add forms as typed and their problems.
func (h *handler) showParty(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d partyData) {
	ctx := r.Context()
	var err error
	if d.Party, err = h.Suppliers.GetParty(ctx, a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Supplies, err = h.Suppliers.Supplies(ctx, a, d.Party.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Assessments, err = h.Suppliers.Assessments(ctx, a, d.Party.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, d.Party.ID, h.Suppliers.PartyHistory); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.modelSystems(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Assess.Assessor == "" {
		d.Assess.Assessor = a.UserID
	}
	h.show(w, r, status, d.Party.Ref+" "+d.Party.Name, "suppliers", func(v view) templ.Component { return partyDetailView(v, d) })
}

// supplyAdd records a supply from the form on the party's page.
func (h *handler) supplyAdd(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := supplyFormFrom(r.PostForm)
	sp, err := h.Suppliers.AddSupply(r.Context(), a, r.PathValue("ref"), f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showParty(w, r, a, status, partyData{Supply: f, SupplyErrs: fe})
		return
	}
	h.flash(r.Context(), sp.Ref+" is recorded.")
	seeOther(w, r, "/suppliers/"+sp.PartyRef+"#supplies")
}

// supplyRemove removes a supply, with the version it was shown at.
func (h *handler) supplyRemove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	n, version := formInt(r.PathValue("number")), formInt(r.PostForm.Get("version"))
	ref := r.PathValue("ref")
	if err := h.Suppliers.RemoveSupply(r.Context(), a, ref, n, version); err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.Suppliers.GetParty(r.Context(), a, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), p.Ref+"/S"+strconv.Itoa(n)+" is removed; the history keeps what it was.")
	seeOther(w, r, "/suppliers/"+p.Ref+"#supplies")
}

// partyAssess records an assessment from the form on the party's page.
func (h *handler) partyAssess(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := assessFormFrom(r.PostForm)
	as, err := h.Suppliers.Assess(r.Context(), a, r.PathValue("ref"), f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showParty(w, r, a, status, partyData{Assess: f, AssessErrs: fe})
		return
	}
	h.flash(r.Context(), as.Ref+" is recorded. The next assessment is due on "+as.NextAssessmentOn+".")
	seeOther(w, r, "/suppliers/"+as.PartyRef+"#assessments")
}
