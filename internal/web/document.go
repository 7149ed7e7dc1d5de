package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/identity"
)

// documentRoutes adds the document pages.
func (h *handler) documentRoutes(signed route) {
	signed("GET /documents", h.documentList)
	signed("POST /documents", h.documentCreate)
	signed("GET /documents/new", h.documentNew)
	signed("GET /documents/to-read", h.documentToRead)
	signed("GET /documents/{ref}", h.documentDetail)
	signed("POST /documents/{ref}", h.documentUpdate)
	signed("GET /documents/{ref}/edit", h.documentEdit)
	signed("POST /documents/{ref}/archive", h.documentArchive)
	signed("POST /documents/{ref}/restore", h.documentRestore)
	signed("POST /documents/{ref}/review", h.documentReview)
	signed("POST /documents/{ref}/approve", h.documentApprove)
	signed("POST /documents/{ref}/versions", h.documentStartDraft)
	signed("GET /documents/{ref}/draft", h.documentDraft)
	signed("POST /documents/{ref}/draft", h.documentSaveDraft)
	signed("POST /documents/{ref}/draft/discard", h.documentDiscardDraft)
	signed("GET /documents/{ref}/versions/{number}", h.documentVersion)
	signed("GET /documents/{ref}/versions/{number}/text", h.documentVersionText)
	signed("POST /documents/{ref}/versions/{number}/acknowledge", h.documentAcknowledge)
	signed("GET /documents/{ref}/compare", h.documentCompare)
}

// documentListData is what the list of documents shows.
type documentListData struct {
	Query  document.Query
	Page   *document.Page
	ToRead []document.ToRead
	Errs   formErrors
}

// documentList lists the documents, filtered, with what the person has still to read.
func (h *handler) documentList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	v := r.URL.Query()
	d := documentListData{Query: document.Query{Q: v.Get("q"), Kind: v.Get("kind"), Status: v.Get("status"), Review: v.Get("review"),
		Addresses: v.Get("addresses"), Draft: v.Get("draft") == "1", Offset: max(0, formInt(v.Get("offset")))}}
	var err error
	if d.ToRead, err = h.Documents.ToRead(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.Page, err = h.Documents.List(ctx, a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Documents", "documents", func(v view) templ.Component { return documentListView(v, d) })
}

// kindOptions are the filter's choices of kind.
func (d documentListData) kindOptions() []option {
	out := []option{{Value: "", Label: "Any kind", Selected: d.Query.Kind == ""}}
	for _, o := range document.Kinds {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: d.Query.Kind == o.Value})
	}
	return out
}

// reviewOptions are the filter's choices of review state.
func (d documentListData) reviewOptions() []option {
	return []option{{Value: "", Label: "Any", Selected: d.Query.Review == ""},
		{Value: document.ReviewDue, Label: "Due within 30 days or overdue", Selected: d.Query.Review == document.ReviewDue},
		{Value: document.ReviewOverdue, Label: "Overdue", Selected: d.Query.Review == document.ReviewOverdue}}
}

// pageHref is the list's address at another offset.
func (d documentListData) pageHref(offset int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": d.Query.Q, "kind": d.Query.Kind, "review": d.Query.Review, "addresses": d.Query.Addresses} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if d.Query.Status != "" && d.Query.Status != document.StatusActive {
		v.Set("status", d.Query.Status)
	}
	if d.Query.Draft {
		v.Set("draft", "1")
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	return "/documents?" + v.Encode()
}

// rangeText says which documents the page shows.
func (d documentListData) rangeText() string {
	if d.Page == nil || len(d.Page.Items) == 0 {
		return "No documents match"
	}
	p := d.Page
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

func (d documentListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.pageHref(max(0, d.Page.Offset-d.Page.Limit))
}

func (d documentListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.pageHref(d.Page.Offset + d.Page.Limit)
}

// documentNew shows the form that writes a document; ?kind=ai_policy starts the AI policy.
func (h *handler) documentNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActDocumentEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	f := documentForm{Kind: r.URL.Query().Get("kind"), OwnerID: a.UserID, ReviewMonths: "12", Distribution: []string{document.Everyone}}
	if f.Kind == "" {
		f.Kind = "policy"
	}
	if f.Kind == "ai_policy" {
		f.Title, f.Clauses, f.Controls = "AI policy", "5.2", "A.2.2"
	}
	h.showDocumentForm(w, r, a, http.StatusOK, documentFormData{Form: f})
}

func (h *handler) showDocumentForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d documentFormData) {
	var err error
	if d.Members, err = h.Identity.ListMembers(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Write a document"
	if d.Doc != nil {
		title = "Edit " + d.Doc.Ref
	}
	h.show(w, r, status, title, "documents", func(v view) templ.Component { return documentFormView(v, d) })
}

// documentCreate records a document and its first draft from the posted form.
func (h *handler) documentCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := documentFormFrom(r.PostForm)
	doc, err := h.Documents.Create(r.Context(), a, f.create())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDocumentForm(w, r, a, status, documentFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), doc.Ref+" "+doc.Title+" is recorded with its first draft, version 1. An owner or manager approves it to put it in force.")
	seeOther(w, r, "/documents/"+doc.Ref)
}

// documentEdit shows the form of a document's details filled with its values.
func (h *handler) documentEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActDocumentEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	doc, err := h.Documents.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showDocumentForm(w, r, a, http.StatusOK, documentFormData{Doc: doc, Form: documentFormOf(doc)})
}

// documentUpdate saves the details form; every field is sent, with the version it was based on.
func (h *handler) documentUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	doc, err := h.Documents.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := documentFormFrom(r.PostForm)
	updated, err := h.Documents.Update(ctx, a, doc.ID, f.update())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDocumentForm(w, r, a, status, documentFormData{Doc: doc, Form: f, Errs: fe})
		return
	}
	if updated.Version == doc.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "The details of "+updated.Ref+" are saved.")
	}
	seeOther(w, r, "/documents/"+updated.Ref)
}

// documentData is what a document's page shows.
type documentData struct {
	Doc      *document.Document
	Versions []document.VersionInfo
	Readers  *document.Readers
	Reviews  []document.Review
	History  []eventView
	// Current is the text of the version in force, rendered; empty when none.
	Current string
	// Mine says whether the version in force is for the person to acknowledge and not yet acknowledged.
	Mine bool
	// Approve, Review and Archive are the forms as typed, with their problems.
	ApproveNote, ReviewNote, ArchiveReason string
	ApproveErrs, ReviewErrs, ArchiveErrs   formErrors
}

// documentDetail shows a document: its details, the version in force, the
// draft, who has acknowledged, its versions, reviews and history.
func (h *handler) documentDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showDocument(w, r, a, http.StatusOK, documentData{})
}

func (h *handler) showDocument(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d documentData) {
	ctx := r.Context()
	var err error
	if d.Doc, err = h.Documents.Get(ctx, a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Versions, err = h.Documents.Versions(ctx, a, d.Doc.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Reviews, err = h.Documents.Reviews(ctx, a, d.Doc.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, d.Doc.ID, h.Documents.History); err != nil {
		h.fail(w, r, err)
		return
	}
	documentEvents(d.History, d.Doc.Ref)
	if d.Doc.Current != nil {
		if d.Readers, err = h.Documents.Readers(ctx, a, d.Doc.ID, 0); err != nil {
			h.fail(w, r, err)
			return
		}
		v, err := h.Documents.Version(ctx, a, d.Doc.ID, d.Doc.Current.Number)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if d.Current, err = document.RenderHTML(v.Text); err != nil {
			h.fail(w, r, err)
			return
		}
		d.Mine = d.Doc.AcknowledgedByMe != nil && !*d.Doc.AcknowledgedByMe
	}
	h.show(w, r, status, d.Doc.Ref+" "+d.Doc.Title, "documents", func(v view) templ.Component { return documentDetailView(v, d) })
}

// canReview says whether the person may record a review of the document without change.
func (d documentData) canReview(a *aims.Actor) bool {
	if d.Doc.Current == nil || d.Doc.Status != document.StatusActive {
		return false
	}
	return identity.Can(a, identity.ActDocumentApprove) || (a.UserID == d.Doc.OwnerID && identity.Can(a, identity.ActDocumentEdit))
}

// documentArchive withdraws a document, with the reason given.
func (h *handler) documentArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	reason := r.PostForm.Get("reason")
	doc, err := h.Documents.Archive(r.Context(), a, r.PathValue("ref"), document.ArchiveRequest{Reason: reason})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDocument(w, r, a, status, documentData{ArchiveReason: reason, ArchiveErrs: fe})
		return
	}
	h.flash(r.Context(), doc.Ref+" is withdrawn. Its versions, acknowledgements and history are kept; nobody needs to acknowledge it now.")
	seeOther(w, r, "/documents/"+doc.Ref)
}

// documentRestore returns a withdrawn document to the active list.
func (h *handler) documentRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	doc, err := h.Documents.Restore(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), doc.Ref+" is back in the active list.")
	seeOther(w, r, "/documents/"+doc.Ref)
}

// documentReview records that the version in force was reviewed and stays as it is.
func (h *handler) documentReview(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	note := r.PostForm.Get("note")
	doc, err := h.Documents.Review(r.Context(), a, r.PathValue("ref"), document.ReviewRequest{Note: note})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDocument(w, r, a, status, documentData{ReviewNote: note, ReviewErrs: fe})
		return
	}
	h.flash(r.Context(), "The review of "+doc.Ref+" is recorded. The next review is due on "+doc.NextReviewOn+".")
	seeOther(w, r, "/documents/"+doc.Ref+"#reviews")
}

// documentApprove approves the draft at the revision the approver read.
func (h *handler) documentApprove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	note := f.Get("note")
	doc, err := h.Documents.Approve(r.Context(), a, r.PathValue("ref"), document.ApproveRequest{Number: formInt(f.Get("number")),
		Revision: formInt(f.Get("revision")), Note: note})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDocument(w, r, a, status, documentData{ApproveNote: note, ApproveErrs: fe})
		return
	}
	h.flash(r.Context(), "Version "+strconv.Itoa(doc.Current.Number)+" of "+doc.Ref+" is approved and in force. Everyone it is distributed to is asked to acknowledge it; the next review is due on "+doc.NextReviewOn+".")
	seeOther(w, r, "/documents/"+doc.Ref)
}

// documentEvents words a document's events with the names of its fields and kinds, and links them to its page.
func documentEvents(evs []eventView, ref string) {
	for i := range evs {
		evs[i].ObjectHref = "/documents/" + ref
		for j := range evs[i].Changes {
			c := &evs[i].Changes[j]
			c.Label = documentLabel(c.Field)
			switch c.Field {
			case "kind":
				for _, v := range []*value{&c.Before, &c.After} {
					if !v.None && v.Text != "" {
						v.Text = docKindLabel(v.Text)
					}
				}
			case "distribution":
				for _, v := range []*value{&c.Before, &c.After} {
					for k, it := range v.Items {
						if it == document.Everyone {
							v.Items[k] = "Everyone"
						} else if aims.Role(it).Valid() {
							v.Items[k] = roleLabel(aims.Role(it)) + "s"
						}
					}
				}
			}
		}
	}
}
