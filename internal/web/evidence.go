package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/identity"
)

// evidenceRoutes adds the evidence pages.
func (h *handler) evidenceRoutes(signed route) {
	signed("GET /evidence", h.evidenceList)
	signed("GET /evidence/new", h.evidenceNew)
	signed("POST /evidence", h.evidenceCreate)
	signed("GET /evidence/{ref}", h.evidenceDetail)
	signed("POST /evidence/{ref}", h.evidenceUpdate)
	signed("GET /evidence/{ref}/edit", h.evidenceEdit)
	signed("POST /evidence/{ref}/archive", h.evidenceArchive)
	signed("POST /evidence/{ref}/restore", h.evidenceRestore)
	signed("GET /evidence/{ref}/file", h.evidenceDownload)
}

func init() {
	// Words for evidence's fields and audit actions, beside those of other records.
	for k, v := range map[string]string{
		"kind": "Kind", "title": "Title", "url": "URL", "note": "Note", "file": "File", "file_sha256": "SHA-256",
		"file_name": "File name", "file_size": "Size in bytes", "content_type": "Content type", "valid_from": "Valid from",
		"valid_until": "Valid until", "links": "Links", "validity": "Validity", "target": "Linked to",
	} {
		if _, ok := fieldLabels[k]; !ok {
			fieldLabels[k] = v
		}
	}
	for k, v := range map[string]string{
		evidence.ActionAdd: "Added the evidence", evidence.ActionUpdate: "Changed the evidence",
		evidence.ActionArchive: "Archived the evidence", evidence.ActionRestore: "Restored the evidence",
	} {
		if _, ok := actionLabels[k]; !ok {
			actionLabels[k] = v
		}
	}
}

// uploadOverhead is room for an upload form's other fields beside its file.
const uploadOverhead = 1 << 20

// bodyLimit is the body limit of a request: the form limit, and for an
// evidence upload the evidence file limit with room for the other fields.
func (h *handler) bodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && r.URL.Path == "/evidence" && h.Evidence != nil {
		return max(h.MaxBodyBytes, h.Evidence.MaxBytes()+uploadOverhead)
	}
	return h.MaxBodyBytes
}

// evidenceListData is what the evidence list shows.
type evidenceListData struct {
	Query evidence.ListQuery
	Page  *evidence.EvidencePage
	Errs  formErrors
}

// evidenceListFields maps the list's parameters to the filter controls.
var evidenceListFields = map[string]string{"q": "q", "kind": "kind", "status": "status", "validity": "validity", "target": "target"}

// evidenceList shows the organisation's evidence, searched, filtered, sorted and paged.
func (h *handler) evidenceList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v := r.URL.Query()
	d := evidenceListData{Query: evidence.ListQuery{Q: v.Get("q"), Kind: v.Get("kind"), Status: v.Get("status"),
		Target: v.Get("target"), Validity: v.Get("validity"), Sort: v.Get("sort")}}
	var p aims.Problems
	for name, dst := range map[string]*int{"limit": &d.Query.Limit, "offset": &d.Query.Offset} {
		if s := v.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				p.Add(name, "must be a whole number")
			}
			*dst = n
		}
	}
	err := p.Err()
	if err == nil {
		d.Page, err = h.Evidence.List(r.Context(), a, d.Query)
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
	h.show(w, r, status, "Evidence", "evidence", func(v view) templ.Component { return evidenceListView(v, d) })
}

// href is the list's address with the query changed by mod; defaults are left out.
func (d evidenceListData) href(mod func(*evidence.ListQuery)) string {
	q := d.Query
	mod(&q)
	v := url.Values{}
	set := func(k, val, def string) {
		if val != "" && val != def {
			v.Set(k, val)
		}
	}
	set("q", q.Q, "")
	set("kind", q.Kind, "")
	set("status", q.Status, evidence.StatusActive)
	set("validity", q.Validity, "")
	set("target", q.Target, "")
	set("sort", q.Sort, "-added")
	if q.Limit != 0 && q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if enc := v.Encode(); enc != "" {
		return "/evidence?" + enc
	}
	return "/evidence"
}

// sortHref sorts by key, or reverses the order when the list is already sorted by it.
func (d evidenceListData) sortHref(key string) string {
	return d.href(func(q *evidence.ListQuery) {
		q.Offset = 0
		if q.Sort == key {
			q.Sort = "-" + key
		} else {
			q.Sort = key
		}
	})
}

// ariaSort tells assistive technology how the list is sorted by a column.
func (d evidenceListData) ariaSort(key string) string {
	switch d.Query.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return ""
}

// rangeText says which items the page shows.
func (d evidenceListData) rangeText() string {
	p := d.Page
	if p == nil || p.Total == 0 || len(p.Items) == 0 {
		return "No evidence matches"
	}
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

func (d evidenceListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.href(func(q *evidence.ListQuery) { q.Offset = max(0, q.Offset-q.Limit) })
}

func (d evidenceListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.href(func(q *evidence.ListQuery) { q.Offset += q.Limit })
}

// evidenceOptions makes the options of a filter select, with an "any" choice first.
func evidenceOptions(anyLabel string, opts []evidence.Option, value string) []option {
	out := []option{}
	if anyLabel != "" {
		out = append(out, option{Value: "", Label: anyLabel, Selected: value == ""})
	}
	for _, o := range opts {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == value})
	}
	return out
}

// evidenceStatusOptions are the choices of the status filter.
func evidenceStatusOptions(value string) []option {
	if value == "" {
		value = evidence.StatusActive
	}
	return evidenceOptions("", []evidence.Option{{Value: evidence.StatusActive, Label: "Active"},
		{Value: evidence.StatusArchived, Label: "Archived"}, {Value: "all", Label: "Active and archived"}}, value)
}

// validityFilters are the validity states a list can be filtered by.
var validityFilters = []evidence.Option{
	{Value: evidence.ValidityCurrent, Label: "Current"}, {Value: evidence.ValidityExpiring, Label: "Expiring within 30 days"},
	{Value: evidence.ValidityExpired, Label: "Expired"}, {Value: evidence.ValidityNotYet, Label: "Not yet valid"},
}

// validityClass is the badge style of a validity state.
func validityClass(v string) string {
	switch v {
	case evidence.ValidityCurrent:
		return "badge-ok"
	case evidence.ValidityExpiring:
		return "badge-warn"
	case evidence.ValidityExpired:
		return "badge-bad"
	}
	return "badge-muted"
}

// linkHref is the page of what evidence links to.
func linkHref(l evidence.EvidenceLink) string {
	switch l.Type {
	case evidence.TargetControl:
		return "/catalog/controls/" + url.PathEscape(l.ID)
	case evidence.TargetClause:
		return "/catalog/clauses/" + url.PathEscape(l.ID)
	}
	return "/systems/" + url.PathEscape(l.Ref)
}

// linkTitle names what evidence links to, with its title from the catalogue or inventory.
func linkTitle(l evidence.EvidenceLink) string {
	switch l.Type {
	case evidence.TargetControl:
		if c, ok := catalog.BuiltinControl(l.ID); ok {
			return c.Title
		}
	case evidence.TargetClause:
		if c, ok := catalog.ClauseByID(l.ID); ok {
			return c.Title
		}
	case evidence.TargetAISystem:
		return l.Title
	}
	return ""
}

// sizeText words a file size for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	case n == 1:
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// evidenceForm holds the add or edit form as typed, so that it can be shown again.
type evidenceForm struct {
	Kind, Title, Description, URL, Note, ValidFrom, ValidUntil string
	Links                                                      []string
	// Version is the hidden version an edit was based on.
	Version string
	// FileName names the file chosen for an upload that must be chosen again.
	FileName string
}

// evidenceFormFrom reads a posted evidence form.
func evidenceFormFrom(v url.Values) evidenceForm {
	return evidenceForm{Kind: v.Get("kind"), Title: v.Get("title"), Description: v.Get("description"), URL: v.Get("url"),
		Note: v.Get("note"), ValidFrom: v.Get("valid_from"), ValidUntil: v.Get("valid_until"), Links: v["links"],
		Version: v.Get("version")}
}

// links is the checked links, never nil so that unchecking every box clears them.
func (f evidenceForm) links() []string {
	if f.Links == nil {
		return []string{}
	}
	return f.Links
}

// evidenceFormData is what the add and edit forms show.
type evidenceFormData struct {
	// Ev is the stored evidence when editing, nil when adding.
	Ev   *evidence.Evidence
	Form evidenceForm
	Errs formErrors
	// Groups are the choices of links: controls by Annex A category, clauses by clause, AI systems.
	Groups   []linkGroup
	MaxBytes int64
}

// linkGroup is a set of link checkboxes under a heading.
type linkGroup struct {
	ID      string
	Title   string
	Options []option
}

// open reports whether the group shows its choices at once: when one is chosen.
func (g linkGroup) open() bool {
	return slices.ContainsFunc(g.Options, func(o option) bool { return o.Selected })
}

// evidenceFields maps the request's fields to the form's controls, for the error summary.
var evidenceFields = map[string]string{"kind": "kind-file", "title": "title", "description": "description", "url": "url",
	"note": "note", "file": "file", "valid_from": "valid_from", "valid_until": "valid_until", "links": "links", "version": "title"}

// field is a control of the form.
func (d evidenceFormData) field(name, typ, value, hint string, required bool) field {
	f := field{ID: name, Name: name, Label: fieldLabel(name), Type: typ, Value: value, Hint: hint, Required: required,
		Err: d.Errs.For(name), Wide: typ == "textarea" || typ == "text" || typ == "url" || typ == "file"}
	if typ == "textarea" {
		f.Rows = 4
		if name == "note" {
			f.Rows = 8
		}
	}
	return f
}

// fileHint explains the file field, and asks for the file again after a refused upload.
func (d evidenceFormData) fileHint() string {
	hint := "For a file: " + strings.Join(evidence.Extensions(), ", ") + "; at most " + sizeText(d.MaxBytes) +
		". It is kept by its SHA-256 and never changes."
	if d.Errs.Any() && d.Form.Kind == evidence.KindFile {
		if d.Form.FileName != "" {
			return "Choose " + d.Form.FileName + " again: a browser does not send a file twice. " + hint
		}
		return "Choose the file again: a browser does not send a file twice. " + hint
	}
	return hint
}

// fixedText says what an edit cannot change: the evidence itself.
func (d evidenceFormData) fixedText() string {
	what := "The written note"
	switch d.Ev.Kind {
	case evidence.KindFile:
		what = "The file " + d.Ev.FileName + " (SHA-256 " + d.Ev.FileSHA256 + ")"
	case evidence.KindLink:
		what = "The link " + d.Ev.URL
	}
	return what + " cannot be changed: add new evidence and archive this one instead."
}

// action is where the form posts.
func (d evidenceFormData) action() string {
	if d.Ev == nil {
		return "/evidence"
	}
	return "/evidence/" + d.Ev.Ref
}

// linkGroups builds the link choices: the catalogue's controls by Annex A
// category, then the organisation's own, the clauses by clause, and the
// active AI systems, with every chosen link checked and kept even when it
// is not among them.
func (h *handler) linkGroups(ctx context.Context, a *aims.Actor, chosen []string) ([]linkGroup, error) {
	sel := map[string]bool{}
	for _, c := range chosen {
		sel[c] = true
	}
	shown := map[string]bool{}
	opt := func(value, label string) option {
		shown[value] = true
		return option{Value: value, Label: label, Selected: sel[value]}
	}
	controls, err := h.Catalog.Controls(ctx, a, catalog.ControlQuery{})
	if err != nil {
		return nil, err
	}
	var groups []linkGroup
	for _, cat := range catalog.Categories() {
		g := linkGroup{ID: "links-" + cat.ID, Title: cat.ID + " " + cat.Title}
		for _, c := range controls {
			if c.CategoryID == cat.ID {
				g.Options = append(g.Options, opt("control:"+c.ID, c.ID+" "+c.Title))
			}
		}
		groups = append(groups, g)
	}
	own := linkGroup{ID: "links-own", Title: "Own controls outside Annex A"}
	for _, c := range controls {
		if c.CategoryID == "" {
			own.Options = append(own.Options, opt("control:"+c.ID, c.ID+" "+c.Title))
		}
	}
	if len(own.Options) > 0 {
		groups = append(groups, own)
	}
	headings := map[string]string{}
	for _, hd := range catalog.Headings() {
		headings[hd.ID] = hd.Title
	}
	for _, c := range catalog.Clauses() {
		if n := len(groups); n == 0 || groups[n-1].ID != "links-clause-"+c.Group {
			groups = append(groups, linkGroup{ID: "links-clause-" + c.Group, Title: "Clause " + c.Group + " " + headings[c.Group]})
		}
		g := &groups[len(groups)-1]
		g.Options = append(g.Options, opt("clause:"+c.ID, c.ID+" "+c.Title))
	}
	systems := linkGroup{ID: "links-systems", Title: "AI systems"}
	for offset := 0; ; offset += 200 {
		page, err := h.Systems.List(ctx, a, aisystem.ListQuery{Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, s := range page.Items {
			systems.Options = append(systems.Options, opt("ai_system:"+s.Ref, s.Ref+" "+s.Name))
		}
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			break
		}
	}
	groups = append(groups, systems)
	other := linkGroup{ID: "links-other", Title: "Other links chosen"}
	for _, c := range chosen {
		if !shown[c] && strings.TrimSpace(c) != "" {
			other.Options = append(other.Options, opt(c, c))
		}
	}
	if len(other.Options) > 0 {
		groups = append(groups, other)
	}
	return groups, nil
}

// showEvidenceForm renders the add or edit form with its link choices.
func (h *handler) showEvidenceForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d evidenceFormData) {
	var err error
	if d.Groups, err = h.linkGroups(r.Context(), a, d.Form.Links); err != nil {
		h.fail(w, r, err)
		return
	}
	d.MaxBytes = h.Evidence.MaxBytes()
	title := "Add evidence"
	if d.Ev != nil {
		title = "Edit " + d.Ev.Ref
	}
	h.show(w, r, status, title, "evidence", func(v view) templ.Component { return evidenceFormView(v, d) })
}

// evidenceNew shows the form that adds evidence.
func (h *handler) evidenceNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActEvidenceAdd); err != nil {
		h.fail(w, r, err)
		return
	}
	f := evidenceForm{Kind: evidence.KindFile}
	// A page can ask for evidence linked to something: /evidence/new?link=control:A.6.2.4.
	f.Links = r.URL.Query()["link"]
	h.showEvidenceForm(w, r, a, http.StatusOK, evidenceFormData{Form: f})
}

// evidenceCreate adds evidence from the posted form, with its file when it has one.
func (h *handler) evidenceCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	// Refuse before reading a large upload from someone who may not add evidence.
	if err := identity.Authorize(a, identity.ActEvidenceAdd); err != nil {
		h.fail(w, r, err)
		return
	}
	err := r.ParseMultipartForm(uploadOverhead)
	if r.MultipartForm != nil {
		// The request is a copy of the server's, which would not remove these.
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.errorPage(w, r, errorInfo{Status: http.StatusRequestEntityTooLarge, Heading: "The file is too large",
				Message: "aims keeps evidence files of at most " + sizeText(h.Evidence.MaxBytes()) +
					". Nothing was stored. Go back and choose a smaller file, or link to where the file is kept."})
			return
		}
		h.errorPage(w, r, errorInfo{Status: http.StatusBadRequest, Heading: "The form could not be read",
			Message: "What was sent is not a form aims understands. Go back, reload the page and try again."})
		return
	}
	f := evidenceFormFrom(r.PostForm)
	req := evidence.AddRequest{Kind: f.Kind, Title: f.Title, Description: f.Description, URL: f.URL, Note: f.Note,
		ValidFrom: f.ValidFrom, ValidUntil: f.ValidUntil, Links: f.links()}
	var file multipart.File
	if r.MultipartForm != nil && len(r.MultipartForm.File["file"]) > 0 {
		fh := r.MultipartForm.File["file"][0]
		if file, err = fh.Open(); err != nil {
			h.fail(w, r, err)
			return
		}
		defer file.Close()
		req.File, req.FileName, f.FileName = file, fh.Filename, fh.Filename
	}
	it, err := h.Evidence.Add(r.Context(), a, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		if errors.Is(err, evidence.ErrFileTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		h.showEvidenceForm(w, r, a, status, evidenceFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), it.Ref+" "+it.Title+" is added.")
	seeOther(w, r, "/evidence/"+it.Ref)
}

// evidenceData is what a piece of evidence's page shows.
type evidenceData struct {
	Ev      *evidence.Evidence
	History []eventView
}

// evidenceDetail shows evidence, what it is linked to and its history.
func (h *handler) evidenceDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	it, err := h.Evidence.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	evs, err := h.Evidence.History(ctx, a, it.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, err := h.memberNames(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := evidenceData{Ev: it, History: eventsView(evs, names)}
	h.show(w, r, http.StatusOK, it.Ref+" "+it.Title, "evidence", func(v view) templ.Component { return evidenceDetailView(v, d) })
}

// evidenceEdit shows the edit form filled with the evidence's current values.
func (h *handler) evidenceEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActEvidenceAdd); err != nil {
		h.fail(w, r, err)
		return
	}
	it, err := h.Evidence.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := evidenceForm{Kind: it.Kind, Title: it.Title, Description: it.Description, ValidFrom: it.ValidFrom,
		ValidUntil: it.ValidUntil, Version: strconv.Itoa(it.Version), Links: []string{}}
	for _, l := range it.Links {
		f.Links = append(f.Links, l.String())
	}
	h.showEvidenceForm(w, r, a, http.StatusOK, evidenceFormData{Ev: it, Form: f})
}

// evidenceUpdate saves the edit form; every field is sent, with the version it was based on.
func (h *handler) evidenceUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	it, err := h.Evidence.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := evidenceFormFrom(r.PostForm)
	f.Kind = it.Kind
	version, _ := strconv.Atoi(strings.TrimSpace(f.Version))
	links := f.links()
	updated, err := h.Evidence.Update(ctx, a, it.ID, evidence.EvidenceUpdateRequest{Version: version, Title: &f.Title,
		Description: &f.Description, ValidFrom: &f.ValidFrom, ValidUntil: &f.ValidUntil, Links: &links})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showEvidenceForm(w, r, a, status, evidenceFormData{Ev: it, Form: f, Errs: fe})
		return
	}
	if updated.Version == it.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved (version "+strconv.Itoa(updated.Version)+").")
	}
	seeOther(w, r, "/evidence/"+updated.Ref)
}

// evidenceArchive takes evidence out of use.
func (h *handler) evidenceArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setEvidenceStatus(w, r, a, h.Evidence.Archive, "is archived. It no longer counts as current; its record, file and history are kept.")
}

// evidenceRestore brings archived evidence back into use.
func (h *handler) evidenceRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setEvidenceStatus(w, r, a, h.Evidence.Restore, "is restored.")
}

func (h *handler) setEvidenceStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor,
	change func(ctx context.Context, a *aims.Actor, ref string) (*evidence.Evidence, error), done string) {
	if !h.parseForm(w, r) {
		return
	}
	it, err := change(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), it.Ref+" "+done)
	seeOther(w, r, "/evidence/"+it.Ref)
}

// evidenceDownload sends a file as an attachment after checking its hash;
// a damaged file is refused with a page that says so.
func (h *handler) evidenceDownload(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	it, f, err := h.Evidence.Open(r.Context(), a, r.PathValue("ref"))
	if errors.Is(err, evidence.ErrFileDamaged) {
		h.errorPage(w, r, errorInfo{Status: http.StatusInternalServerError, Heading: "The file is damaged",
			Message: sentence(aims.AsError(err).Message) + ".",
			Detail:  "aims refuses to hand out a file whose bytes differ from those that were added. An administrator has the details in the server log."})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer f.Close()
	hd := w.Header()
	hd.Set("Content-Type", it.ContentType)
	hd.Set("Content-Disposition", it.ContentDisposition())
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Repr-Digest", it.ReprDigest())
	// ServeContent answers ranges and HEAD, and sets the length.
	http.ServeContent(w, r, "", it.CreatedAt, f)
}
