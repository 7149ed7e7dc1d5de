package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/supplier"
)

// resourceRoutes adds the pages of resources.
func (h *handler) resourceRoutes(signed route) {
	signed("GET /resources", h.resourceList)
	signed("POST /resources", h.resourceCreate)
	signed("GET /resources/new", h.resourceNew)
	signed("GET /resources/{ref}", h.resourceDetail)
	signed("POST /resources/{ref}", h.resourceUpdate)
	signed("GET /resources/{ref}/edit", h.resourceEdit)
	signed("POST /resources/{ref}/archive", h.resourceArchive)
	signed("POST /resources/{ref}/restore", h.resourceRestore)
}

// resourceListData is what the list of resources shows.
type resourceListData struct {
	Query   supplier.ResourceQuery
	Page    *supplier.ResourcePage
	Systems []aisystem.System
	Errs    formErrors
}

// resourceList lists the resources, filtered by kind, system and status.
func (h *handler) resourceList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	v := r.URL.Query()
	d := resourceListData{Query: supplier.ResourceQuery{Q: v.Get("q"), Kind: v.Get("kind"), System: v.Get("system"),
		Status: v.Get("status"), Offset: max(0, formInt(v.Get("offset")))}}
	var err error
	if d.Systems, err = h.modelSystems(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.Page, err = h.Suppliers.ListResources(ctx, a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Resources", "suppliers", func(v view) templ.Component { return resourceListView(v, d) })
}

func (d resourceListData) kindOptions() []option {
	out := []option{{Value: "", Label: "Any kind", Selected: d.Query.Kind == ""}}
	for _, o := range supplier.ResourceKinds {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == d.Query.Kind})
	}
	return out
}

func (d resourceListData) systemOptions() []option {
	out := []option{{Value: "", Label: "Any AI system", Selected: d.Query.System == ""}}
	for _, s := range d.Systems {
		out = append(out, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, d.Query.System)})
	}
	return out
}

func (d resourceListData) pageHref(offset int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": d.Query.Q, "kind": d.Query.Kind, "system": d.Query.System} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if d.Query.Status != "" && d.Query.Status != supplier.StatusActive {
		v.Set("status", d.Query.Status)
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	return "/resources?" + v.Encode()
}

func (d resourceListData) rangeText() string {
	if d.Page == nil || len(d.Page.Items) == 0 {
		return "No resources match"
	}
	p := d.Page
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

func (d resourceListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.pageHref(max(0, d.Page.Offset-d.Page.Limit))
}

func (d resourceListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.pageHref(d.Page.Offset + d.Page.Limit)
}

// resourceForm is the resource form as typed.
type resourceForm struct {
	Kind, Name, Description, Provider, Version string
	// Competences is the textarea: one a line.
	Competences      string
	Members, Systems []string
}

func resourceFormFrom(v url.Values) resourceForm {
	return resourceForm{Kind: v.Get("kind"), Name: v.Get("name"), Description: v.Get("description"), Provider: v.Get("provider"),
		Version: v.Get("version"), Competences: v.Get("competences"), Members: v["members"], Systems: v["systems"]}
}

func resourceFormOf(r *supplier.Resource) resourceForm {
	f := resourceForm{Kind: r.Kind, Name: r.Name, Description: r.Description, Version: strconv.Itoa(r.Version),
		Competences: strings.Join(r.Competences, "\n"), Members: []string{}, Systems: []string{}}
	if r.Provider != nil {
		f.Provider = r.Provider.Ref
	}
	for _, m := range r.Members {
		f.Members = append(f.Members, m.UserID)
	}
	for _, s := range r.Systems {
		f.Systems = append(f.Systems, s.Ref)
	}
	return f
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (f resourceForm) create() supplier.ResourceRequest {
	return supplier.ResourceRequest{Kind: f.Kind, Name: f.Name, Description: f.Description, Provider: f.Provider,
		Competences: lines(f.Competences), Members: f.Members, Systems: f.Systems}
}

func (f resourceForm) update() supplier.ResourceUpdate {
	comps, members, systems := nonNil(lines(f.Competences)), nonNil(f.Members), nonNil(f.Systems)
	return supplier.ResourceUpdate{Version: formInt(f.Version), Kind: &f.Kind, Name: &f.Name, Description: &f.Description,
		Provider: &f.Provider, Competences: &comps, Members: &members, Systems: &systems}
}

// resourceFormData is what the resource form shows.
type resourceFormData struct {
	// Resource is the stored resource when editing, nil when recording.
	Resource *supplier.Resource
	Form     resourceForm
	Errs     formErrors
	Members  []identity.Membership
	Systems  []aisystem.System
	Parties  []supplier.Party
}

var resourceFormFields = []string{"kind", "name", "description", "provider", "competences", "members", "systems"}

func (d resourceFormData) action() string {
	if d.Resource == nil {
		return "/resources"
	}
	return "/resources/" + d.Resource.Ref
}

func (d resourceFormData) field(name, typ, value, hint string) field {
	f := spField("resource-", name, typ, value, hint, d.Errs)
	f.Required = name == "name"
	return f
}

func (d resourceFormData) kind() field {
	f := spChoice("resource-", "kind", d.Form.Kind, "", "Choose a kind", supplier.ResourceKinds, d.Errs)
	f.Required = true
	return f
}

func (d resourceFormData) provider() field {
	f := spField("resource-", "provider", "select", d.Form.Provider, "The third party that provides it.", d.Errs)
	f.Options = append(f.Options, option{Value: "", Label: "The organisation itself", Selected: d.Form.Provider == ""})
	for _, p := range d.Parties {
		f.Options = append(f.Options, option{Value: p.Ref, Label: p.Ref + " " + p.Name, Selected: strings.EqualFold(p.Ref, d.Form.Provider)})
	}
	return f
}

func (d resourceFormData) members() field {
	f := spField("resource-", "members", "checkbox", "", "For people: the members concerned.", d.Errs)
	for _, m := range d.Members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name, Hint: m.Email, Selected: slices.Contains(d.Form.Members, m.UserID)})
	}
	return f
}

func (d resourceFormData) systems() field {
	f := spField("resource-", "systems", "checkbox", "", "The AI systems that rely on it.", d.Errs)
	for _, s := range d.Systems {
		f.Options = append(f.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: containsFold(d.Form.Systems, s.Ref)})
	}
	return f
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func (h *handler) resourceNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSupplierEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	f := resourceForm{Kind: r.URL.Query().Get("kind")}
	if s := r.URL.Query().Get("system"); s != "" {
		f.Systems = []string{s}
	}
	h.showResourceForm(w, r, a, http.StatusOK, resourceFormData{Form: f})
}

func (h *handler) showResourceForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d resourceFormData) {
	ctx := r.Context()
	var err error
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.modelSystems(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.Suppliers.ListParties(ctx, a, supplier.PartyQuery{Limit: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Parties = page.Items
	title := "Record a resource"
	if d.Resource != nil {
		title = "Edit " + d.Resource.Ref
	}
	h.show(w, r, status, title, "suppliers", func(v view) templ.Component { return resourceFormView(v, d) })
}

func (h *handler) resourceCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := resourceFormFrom(r.PostForm)
	res, err := h.Suppliers.CreateResource(r.Context(), a, f.create())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showResourceForm(w, r, a, status, resourceFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), res.Ref+" "+res.Name+" is recorded.")
	seeOther(w, r, "/resources/"+res.Ref)
}

func (h *handler) resourceDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	res, err := h.Suppliers.GetResource(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hist, err := h.history(r, a, res.ID, h.Suppliers.ResourceHistory)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, res.Ref+" "+res.Name, "suppliers", func(v view) templ.Component { return resourceDetailView(v, res, hist) })
}

func (h *handler) resourceEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSupplierEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.Suppliers.GetResource(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showResourceForm(w, r, a, http.StatusOK, resourceFormData{Resource: res, Form: resourceFormOf(res)})
}

func (h *handler) resourceUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	res, err := h.Suppliers.GetResource(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := resourceFormFrom(r.PostForm)
	updated, err := h.Suppliers.UpdateResource(ctx, a, res.ID, f.update())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showResourceForm(w, r, a, status, resourceFormData{Resource: res, Form: f, Errs: fe})
		return
	}
	if updated.Version == res.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved (version "+strconv.Itoa(updated.Version)+").")
	}
	seeOther(w, r, "/resources/"+updated.Ref)
}

func (h *handler) resourceArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setResourceStatus(w, r, a, h.Suppliers.ArchiveResource, " is archived. Its record and history are kept.")
}

func (h *handler) resourceRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setResourceStatus(w, r, a, h.Suppliers.RestoreResource, " is back in the active list.")
}

func (h *handler) setResourceStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor,
	change func(context.Context, *aims.Actor, string) (*supplier.Resource, error), done string) {
	if !h.parseForm(w, r) {
		return
	}
	res, err := change(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), res.Ref+done)
	seeOther(w, r, "/resources/"+res.Ref)
}
