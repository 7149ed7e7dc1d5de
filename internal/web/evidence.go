package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
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

// uploadOverhead is room for an upload form's other fields beside its file.
const uploadOverhead = 1 << 20

// bodyLimit is the body limit of a request: the form limit, and for an
// evidence upload or a data set file to profile the file limit with room
// for the other fields.
func (h *handler) bodyLimit(r *http.Request) int64 {
	switch {
	case r.Method != http.MethodPost:
	case r.URL.Path == "/evidence" && h.Evidence != nil:
		return max(h.MaxBodyBytes, h.Evidence.MaxBytes()+uploadOverhead)
	case strings.HasPrefix(r.URL.Path, "/datasets/") && strings.HasSuffix(r.URL.Path, "/profile") && h.Datasets != nil:
		return max(h.MaxBodyBytes, h.Datasets.MaxUpload()+uploadOverhead)
	}
	return h.MaxBodyBytes
}

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
	hist, err := h.history(r, a, it.ID, h.Evidence.History)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := evidenceData{Ev: it, History: hist}
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
