package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/identity"
)

// datasetRoutes adds the data set pages.
func (h *handler) datasetRoutes(signed route) {
	signed("GET /datasets", h.datasetList)
	signed("GET /datasets/new", h.datasetNew)
	signed("POST /datasets", h.datasetCreate)
	signed("GET /datasets/lineage", h.datasetLineage)
	signed("GET /datasets/{ref}", h.datasetDetail)
	signed("POST /datasets/{ref}", h.datasetUpdate)
	signed("POST /datasets/{ref}/archive", h.datasetArchive)
	signed("POST /datasets/{ref}/restore", h.datasetRestore)
	signed("GET /datasets/{ref}/versions/new", h.dsVersionNew)
	signed("POST /datasets/{ref}/versions", h.dsVersionCreate)
	signed("GET /datasets/{ref}/versions/{dsNumber}", h.dsVersionDetail)
	signed("POST /datasets/{ref}/versions/{dsNumber}/profile", h.dsProfileUpload)
}

// datasetListData is what the list of data sets shows.
type datasetListData struct {
	Query   dataset.ListQuery
	Page    *dataset.Page
	Systems []aisystem.System
	Errs    formErrors
}

// datasetList shows the organisation's data sets, searched, filtered and paged.
func (h *handler) datasetList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v := r.URL.Query()
	d := datasetListData{Query: dataset.ListQuery{Q: v.Get("q"), Status: v.Get("status"), System: v.Get("system"),
		PersonalData: v.Get("personal_data"), Sort: v.Get("sort")}}
	var p aims.Problems
	for name, dst := range map[string]*int{"limit": &d.Query.Limit, "offset": &d.Query.Offset} {
		if s := v.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				p.Add(name, "must be a whole dsNumber")
			}
			*dst = n
		}
	}
	var err error
	if d.Systems, err = h.dsActiveSystems(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	err = p.Err()
	if err == nil {
		d.Page, err = h.Datasets.List(r.Context(), a, d.Query)
	}
	status := http.StatusOK
	if err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status, d.Page = fe, st, nil
	}
	h.show(w, r, status, "Data sets", "datasets", func(v view) templ.Component { return datasetListView(v, d) })
}

// dsActiveSystems lists the organisation's active AI systems, for filters and choices.
func (h *handler) dsActiveSystems(ctx context.Context, a *aims.Actor) ([]aisystem.System, error) {
	var out []aisystem.System
	for offset := 0; ; offset += 200 {
		page, err := h.Systems.List(ctx, a, aisystem.ListQuery{Limit: 200, Offset: offset, Sort: "ref"})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			return out, nil
		}
	}
}

// href is the list's address with the query changed by mod.
func (d datasetListData) href(mod func(*dataset.ListQuery)) string {
	q := d.Query
	mod(&q)
	v := url.Values{}
	set := func(k, val, def string) {
		if val != "" && val != def {
			v.Set(k, val)
		}
	}
	set("q", q.Q, "")
	set("status", q.Status, dataset.StatusActive)
	set("system", q.System, "")
	set("personal_data", q.PersonalData, "")
	set("sort", q.Sort, "name")
	if q.Limit != 0 && q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if enc := v.Encode(); enc != "" {
		return "/datasets?" + enc
	}
	return "/datasets"
}

// rangeText says which data sets the page shows: "1–50 of 120".
func (d datasetListData) rangeText() string {
	p := d.Page
	if p == nil || p.Total == 0 || len(p.Items) == 0 {
		return "No data sets match"
	}
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

// prevHref is the previous page, or "" on the first.
func (d datasetListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.href(func(q *dataset.ListQuery) { q.Offset = max(0, q.Offset-q.Limit) })
}

// nextHref is the next page, or "" on the last.
func (d datasetListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.href(func(q *dataset.ListQuery) { q.Offset += q.Limit })
}

// dsPersonalDataOptions are the choices of the personal data filter.
func dsPersonalDataOptions(value string) []option {
	return []option{{Value: "", Label: "Any", Selected: value == ""},
		{Value: "yes", Label: "Holds personal data", Selected: value == "yes"},
		{Value: "no", Label: "No personal data", Selected: value == "no"}}
}

// datasetNew shows the form that registers a data set.
func (h *handler) datasetNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActDatasetEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	// A system's page can ask for a data set it uses: /datasets/new?system=SYS-1.
	h.showDatasetForm(w, r, a, http.StatusOK, datasetFormData{Form: datasetForm{Systems: r.URL.Query()["system"]}})
}

// fillDatasetForm adds the choices of owner and AI systems to a form.
func (h *handler) fillDatasetForm(ctx context.Context, a *aims.Actor, d *datasetFormData) error {
	var err error
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		return err
	}
	d.Systems, err = h.dsActiveSystems(ctx, a)
	return err
}

// showDatasetForm renders the registration form.
func (h *handler) showDatasetForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d datasetFormData) {
	if err := h.fillDatasetForm(r.Context(), a, &d); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Register a data set", "datasets", func(v view) templ.Component { return datasetNewView(v, d) })
}

// datasetCreate registers a data set from the posted form.
func (h *handler) datasetCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := datasetFormFrom(r.PostForm)
	d, err := h.Datasets.Create(r.Context(), a, dataset.CreateRequest{Name: f.Name, Description: f.Description,
		OwnerID: f.OwnerID, Systems: f.systems()})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDatasetForm(w, r, a, status, datasetFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), d.Ref+" "+d.Name+" is registered. Record its first version next.")
	seeOther(w, r, "/datasets/"+d.Ref)
}

// datasetData is what a data set's page shows.
type datasetData struct {
	Dataset  *dataset.Dataset
	Versions []dataset.Version
	History  []eventView
	// Edit is the edit form, shown when CanEdit: to those who may change the data set while it is active.
	Edit    datasetFormData
	CanEdit bool
}

// datasetDetail shows a data set, its versions, its edit form and its history.
func (h *handler) datasetDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	d, err := h.Datasets.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showDataset(w, r, a, http.StatusOK, d, datasetFormData{Dataset: d, Form: datasetFormOf(d)})
}

// showDataset renders a data set's page with its edit form as given.
func (h *handler) showDataset(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d *dataset.Dataset, edit datasetFormData) {
	ctx := r.Context()
	data := datasetData{Dataset: d, Edit: edit}
	var err error
	if data.Versions, err = h.Datasets.Versions(ctx, a, d.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if data.History, err = h.history(r, a, d.ID, h.Datasets.History); err != nil {
		h.fail(w, r, err)
		return
	}
	if data.CanEdit = identity.Can(a, identity.ActDatasetEdit) && d.Status == dataset.StatusActive; data.CanEdit {
		if err := h.fillDatasetForm(ctx, a, &data.Edit); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.show(w, r, status, d.Ref+" "+d.Name, "datasets", func(v view) templ.Component { return datasetDetailView(v, data) })
}

// datasetUpdate saves the edit form; every field is sent, with the version it was based on.
func (h *handler) datasetUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	d, err := h.Datasets.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := datasetFormFrom(r.PostForm)
	version, _ := strconv.Atoi(f.Version)
	systems := f.systems()
	updated, err := h.Datasets.Update(ctx, a, d.ID, dataset.UpdateRequest{Version: version, Name: &f.Name,
		Description: &f.Description, OwnerID: &f.OwnerID, Systems: &systems})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDataset(w, r, a, status, d, datasetFormData{Dataset: d, Form: f, Errs: fe})
		return
	}
	if updated.Version == d.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved.")
	}
	seeOther(w, r, "/datasets/"+updated.Ref)
}

// datasetArchive takes a data set out of the active list.
func (h *handler) datasetArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setDatasetStatus(w, r, a, h.Datasets.Archive, "is archived. Its versions, profiles and history are kept.")
}

// datasetRestore brings an archived data set back.
func (h *handler) datasetRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setDatasetStatus(w, r, a, h.Datasets.Restore, "is active again.")
}

func (h *handler) setDatasetStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor,
	change func(context.Context, *aims.Actor, string) (*dataset.Dataset, error), done string) {
	if !h.parseForm(w, r) {
		return
	}
	d, err := change(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), d.Ref+" "+done)
	seeOther(w, r, "/datasets/"+d.Ref)
}

// dsSummary lists a form's problems, each named with labels and linked to its control when it is on the form.
func dsSummary(fe formErrors, fields map[string]string, labels map[string]string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		label, ok := labels[f.Field]
		if !ok {
			label = fieldLabel(f.Field)
		}
		it := summaryItem{Text: label + " " + f.Message}
		if id, ok := fields[f.Field]; ok {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// datasetLabels name a data set's fields for people.
var datasetLabels = map[string]string{"name": "Name", "description": "Description", "owner_id": "Owner",
	"systems": "AI systems", "version": "Version", "q": "Search", "system": "AI system", "personal_data": "Personal data",
	"status": "Status", "sort": "Sort", "limit": "Page size", "offset": "Offset"}
