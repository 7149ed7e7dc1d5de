package web

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/identity"
)

// docDraftData is what the draft's page shows.
type docDraftData struct {
	Doc *document.Document
	// Draft is the stored draft; nil when the document has none.
	Draft *document.Version
	// Text, ChangeNote and Revision are the form as typed.
	Text, ChangeNote, Revision string
	// Preview is the form's text rendered.
	Preview string
	// Previewing tells that the text shown is not saved yet.
	Previewing bool
	Errs       formErrors
	// ApproveErrs are the problems of the approval form.
	ApproveErrs formErrors
	ApproveNote string
}

// documentDraft shows the draft's editor with its text rendered below.
func (h *handler) documentDraft(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showDocDraft(w, r, a, http.StatusOK, nil)
}

// showDocDraft renders the draft's page; typed, when not nil, is the form as posted.
func (h *handler) showDocDraft(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, typed *docDraftData) {
	ctx := r.Context()
	doc, err := h.Documents.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := docDraftData{Doc: doc}
	if typed != nil {
		d = *typed
		d.Doc = doc
	}
	if doc.Draft != nil {
		if d.Draft, err = h.Documents.Version(ctx, a, doc.ID, doc.Draft.Number); err != nil {
			h.fail(w, r, err)
			return
		}
		if typed == nil {
			d.Text, d.ChangeNote, d.Revision = d.Draft.Text, d.Draft.ChangeNote, strconv.Itoa(d.Draft.Revision)
		}
	}
	if d.Preview, err = document.RenderHTML(d.Text); err != nil {
		h.fail(w, r, err)
		return
	}
	title := doc.Ref + " " + doc.Title + ": draft"
	h.show(w, r, status, title, "documents", func(v view) templ.Component { return docDraftView(v, d) })
}

// documentStartDraft starts the next version from the version in force.
func (h *handler) documentStartDraft(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v, err := h.Documents.StartDraft(r.Context(), a, r.PathValue("ref"), document.DraftRequest{ChangeNote: r.PostForm.Get("change_note")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "Version "+strconv.Itoa(v.Number)+" is started as a draft from the version in force. Change it below.")
	seeOther(w, r, "/documents/"+v.DocumentRef+"/draft")
}

// documentSaveDraft saves the draft's text and change note, or, with the
// preview button, shows the text rendered without saving it.
func (h *handler) documentSaveDraft(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	typed := &docDraftData{Text: f.Get("text"), ChangeNote: f.Get("change_note"), Revision: f.Get("revision")}
	if f.Get("action") == "preview" {
		typed.Previewing = true
		h.showDocDraft(w, r, a, http.StatusOK, typed)
		return
	}
	v, err := h.Documents.UpdateDraft(r.Context(), a, r.PathValue("ref"), document.DraftUpdate{Revision: formInt(typed.Revision),
		Text: &typed.Text, ChangeNote: &typed.ChangeNote})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		typed.Errs = fe
		h.showDocDraft(w, r, a, status, typed)
		return
	}
	h.flash(r.Context(), "The draft of "+v.DocumentRef+", version "+strconv.Itoa(v.Number)+", is saved (revision "+strconv.Itoa(v.Revision)+").")
	seeOther(w, r, "/documents/"+v.DocumentRef+"/draft")
}

// documentDiscardDraft discards the draft at the revision shown.
func (h *handler) documentDiscardDraft(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	doc, err := h.Documents.DiscardDraft(r.Context(), a, r.PathValue("ref"), formInt(r.PostForm.Get("revision")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "The draft of "+doc.Ref+" is discarded; the history keeps that it was there.")
	seeOther(w, r, "/documents/"+doc.Ref)
}

// docVersionData is what a version's page shows.
type docVersionData struct {
	Doc     *document.Document
	Version *document.Version
	HTML    string
	// Mine says whether the person has to acknowledge this version and has not yet.
	Mine bool
	// AcknowledgedAt is when the person acknowledged this version; nil when they have not.
	Acknowledged *document.ReaderInfo
	Errs         formErrors
}

// documentVersion shows a version's text rendered, and lets the people it
// is distributed to acknowledge the version in force.
func (h *handler) documentVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showDocVersion(w, r, a, http.StatusOK, formErrors{})
}

func (h *handler) showDocVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, errs formErrors) {
	ctx := r.Context()
	n := formInt(r.PathValue("number"))
	doc, err := h.Documents.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := docVersionData{Doc: doc, Errs: errs}
	if d.Version, err = h.Documents.Version(ctx, a, doc.ID, n); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.HTML, err = document.RenderHTML(d.Version.Text); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Version.Status == document.VersionApproved {
		rd, err := h.Documents.Readers(ctx, a, doc.ID, n)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for i, p := range rd.People {
			if p.UserID == a.UserID && p.AcknowledgedAt != nil {
				d.Acknowledged = &rd.People[i]
			}
		}
	}
	d.Mine = d.Version.InForce && doc.AcknowledgedByMe != nil && !*doc.AcknowledgedByMe
	title := doc.Ref + " " + doc.Title + ", version " + strconv.Itoa(d.Version.Number)
	h.show(w, r, status, title, "documents", func(v view) templ.Component { return docVersionView(v, d) })
}

// documentVersionText downloads a version's Markdown text.
func (h *handler) documentVersionText(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v, err := h.Documents.Version(r.Context(), a, r.PathValue("ref"), formInt(r.PathValue("number")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/markdown; charset=utf-8")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": v.DocumentRef + "-v" + strconv.Itoa(v.Number) + ".md"}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	_, _ = w.Write([]byte(v.Text))
}

// documentAcknowledge records that the person has read and understood the version.
func (h *handler) documentAcknowledge(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ack, err := h.Documents.Acknowledge(r.Context(), a, r.PathValue("ref"), document.AcknowledgeRequest{Number: formInt(r.PathValue("number"))})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDocVersion(w, r, a, status, fe)
		return
	}
	h.flash(r.Context(), "Thank you: your acknowledgement of "+ack.DocumentRef+", version "+strconv.Itoa(ack.Number)+", is recorded.")
	seeOther(w, r, "/documents/"+ack.DocumentRef+"/versions/"+strconv.Itoa(ack.Number))
}

// compareData is what the comparison of two versions shows.
type docCompareData struct {
	Doc        *document.Document
	Versions   []document.VersionInfo
	From, To   int
	Comparison *document.Comparison
}

// documentCompare compares two versions; by default the version in force
// with the one before it, or with the draft when there is one.
func (h *handler) documentCompare(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	doc, err := h.Documents.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := docCompareData{Doc: doc, From: formInt(r.URL.Query().Get("from")), To: formInt(r.URL.Query().Get("to"))}
	if d.Versions, err = h.Documents.Versions(ctx, a, doc.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.From == 0 && d.To == 0 && len(d.Versions) >= 2 {
		d.From, d.To = d.Versions[1].Number, d.Versions[0].Number
	}
	if d.From > 0 && d.To > 0 {
		if d.Comparison, err = h.Documents.Compare(ctx, a, doc.ID, d.From, d.To); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.show(w, r, http.StatusOK, doc.Ref+": compare versions", "documents", func(v view) templ.Component { return docCompareView(v, d) })
}

// options are the versions to choose from, with one selected.
func (d docCompareData) options(selected int) []option {
	out := make([]option, 0, len(d.Versions))
	for _, v := range d.Versions {
		label := "Version " + strconv.Itoa(v.Number)
		switch {
		case v.InForce:
			label += " (in force)"
		case v.Status == document.VersionDraft:
			label += " (draft)"
		}
		out = append(out, option{Value: strconv.Itoa(v.Number), Label: label, Selected: v.Number == selected})
	}
	return out
}

// docHunk is a run of compared lines to show, or a run of unchanged lines folded away.
type docHunk struct {
	Lines  []document.DiffLine
	Folded int
}

// hunks folds runs of more than six unchanged lines, keeping three on each side of a change.
func (d docCompareData) hunks() []docHunk {
	const ctx = 3
	lines := d.Comparison.Lines
	var out []docHunk
	var cur []document.DiffLine
	for i := 0; i < len(lines); {
		if lines[i].Op != document.OpSame {
			cur = append(cur, lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && lines[j].Op == document.OpSame {
			j++
		}
		run := lines[i:j]
		keepHead, keepTail := ctx, ctx
		if i == 0 {
			keepHead = 0
		}
		if j == len(lines) {
			keepTail = 0
		}
		if len(run) > keepHead+keepTail+1 {
			cur = append(cur, run[:keepHead]...)
			if len(cur) > 0 {
				out = append(out, docHunk{Lines: cur})
			}
			out = append(out, docHunk{Folded: len(run) - keepHead - keepTail})
			cur = append([]document.DiffLine(nil), run[len(run)-keepTail:]...)
		} else {
			cur = append(cur, run...)
		}
		i = j
	}
	if len(cur) > 0 {
		out = append(out, docHunk{Lines: cur})
	}
	return out
}

// documentToRead lists what the person has still to read and acknowledge.
func (h *handler) documentToRead(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	items, err := h.Documents.ToRead(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "To read", "documents", func(v view) templ.Component { return docToReadView(v, items) })
}

// docLineNumber shows a line's number, or nothing for 0.
func docLineNumber(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// canEditDocument says whether the person may change an active document.
func canEditDocument(v view, d *document.Document) bool {
	return d.Status == document.StatusActive && v.Can(identity.ActDocumentEdit)
}

// canApproveDocument says whether the person may approve an active document's draft.
func canApproveDocument(v view, d *document.Document) bool {
	return d.Status == document.StatusActive && d.Draft != nil && v.Can(identity.ActDocumentApprove)
}

// docVersionHref is the page of a version.
func docVersionHref(ref string, v document.VersionInfo) string {
	return "/documents/" + ref + "/versions/" + strconv.Itoa(v.Number)
}

// docApproveConsequence says who will be asked to acknowledge a version once approved.
func docApproveConsequence(d *document.Document) string {
	return ", and asks " + strings.ToLower(document.DistributionLabel(d.Distribution)) + " to acknowledge it"
}
