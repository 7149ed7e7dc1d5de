package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/supplier"
)

// raciRoutes adds the pages of a system's responsibility matrix.
func (h *handler) raciRoutes(signed route) {
	signed("GET /systems/{ref}/responsibilities", h.raciPage)
	signed("GET /systems/{ref}/responsibilities/{stage}", h.raciEdit)
	signed("POST /systems/{ref}/responsibilities/{stage}", h.raciSave)
}

// raciPage shows the matrix: the life-cycle stages by responsible,
// accountable, consulted and informed.
func (h *handler) raciPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	m, err := h.Suppliers.RACI(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hist, err := h.history(r, a, m.SystemID, h.Suppliers.RACIHistory)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	supplies, err := h.Suppliers.SystemSupplies(r.Context(), a, m.SystemID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Responsibilities of "+m.SystemRef, "systems", func(v view) templ.Component { return raciView(v, m, supplies, hist) })
}

// raciRow is one party the stage form offers.
type raciRow struct {
	// Key is what the form sends: a member's user id or a third party's reference.
	Key, Name, Detail string
	Current           bool
}

// raciFormData is what the form of one stage shows.
type raciFormData struct {
	Matrix   *supplier.RACIMatrix
	Stage    string
	Rows     []raciRow
	Selected map[string]map[string]bool
	Version  string
	Errs     formErrors
}

// checked reports whether the row holds the role in the form.
func (d raciFormData) checked(role, key string) bool { return d.Selected[role][key] }

// stageLabel is the stage's name for people.
func (d raciFormData) stageLabel() string { return supplier.Label(supplier.Stages, d.Stage) }

// raciKey is what the form sends for an assignee.
func raciKey(as supplier.Assignee) string {
	if as.Kind == supplier.PartyThirdParty {
		return as.Ref
	}
	return as.ID
}

// raciEdit shows the form of one stage, filled with who holds each role.
func (h *handler) raciEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSupplierEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.Suppliers.RACI(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	stage := m.Stage(r.PathValue("stage"))
	if stage == nil {
		h.notFound(w, r)
		return
	}
	sel := map[string]map[string]bool{}
	for _, role := range supplier.RACIRoles {
		sel[role.Value] = map[string]bool{}
		for _, as := range *stage.Role(role.Value) {
			sel[role.Value][raciKey(as)] = true
		}
	}
	h.showRACIForm(w, r, a, http.StatusOK, raciFormData{Matrix: m, Stage: stage.Stage, Selected: sel, Version: strconv.Itoa(m.Version)})
}

// showRACIForm renders the form of one stage with every member, every active
// third party, and whoever else holds a role at the stage.
func (h *handler) showRACIForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d raciFormData) {
	ctx := r.Context()
	ms, err := h.Identity.ListMembers(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seen := map[string]bool{}
	for _, m := range ms {
		d.Rows = append(d.Rows, raciRow{Key: m.UserID, Name: m.Name, Detail: m.Email, Current: true})
		seen[m.UserID] = true
	}
	for offset := 0; ; offset += 200 {
		page, err := h.Suppliers.ListParties(ctx, a, supplier.PartyQuery{Limit: 200, Offset: offset})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, p := range page.Items {
			d.Rows = append(d.Rows, raciRow{Key: p.Ref, Name: p.Name, Detail: p.Ref + ", " + supplier.Label(supplier.Kinds, p.Kind), Current: true})
			seen[p.Ref] = true
		}
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			break
		}
	}
	if st := d.Matrix.Stage(d.Stage); st != nil {
		for _, role := range supplier.RACIRoles {
			for _, as := range *st.Role(role.Value) {
				if k := raciKey(as); !seen[k] {
					seen[k] = true
					d.Rows = append(d.Rows, raciRow{Key: k, Name: as.Name, Detail: as.Ref, Current: as.Current})
				}
			}
		}
	}
	h.show(w, r, status, "Responsibilities at "+d.stageLabel(), "systems", func(v view) templ.Component { return raciFormView(v, d) })
}

// raciSave sets the responsibilities of one stage from the posted form.
func (h *handler) raciSave(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	m, err := h.Suppliers.RACI(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	stage := r.PathValue("stage")
	if m.Stage(stage) == nil {
		h.notFound(w, r)
		return
	}
	f := r.PostForm
	req := supplier.RACIRequest{Version: formInt(f.Get("version")), Responsible: f["responsible"], Consulted: f["consulted"], Informed: f["informed"]}
	for _, k := range f["accountable"] {
		if k != "" {
			req.Accountable = append(req.Accountable, k)
		}
	}
	updated, err := h.Suppliers.SetStage(ctx, a, m.SystemID, stage, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		sel := map[string]map[string]bool{}
		for _, role := range supplier.RACIRoles {
			sel[role.Value] = map[string]bool{}
			for _, k := range f[role.Value] {
				sel[role.Value][k] = true
			}
		}
		h.showRACIForm(w, r, a, status, raciFormData{Matrix: m, Stage: stage, Selected: sel, Version: f.Get("version"), Errs: fe})
		return
	}
	if updated.Version == m.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "The responsibilities at "+supplier.Label(supplier.Stages, stage)+" are saved.")
	}
	seeOther(w, r, "/systems/"+updated.SystemRef+"/responsibilities")
}
