package web

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/concern"
	"github.com/aims-dev/aims/internal/identity"
)

func init() {
	for k, v := range map[string]string{
		concern.ActionReport: "reported a concern", concern.ActionFollowUp: "added a follow-up to a concern",
		concern.ActionUpdate: "handled a concern", concern.ActionNote: "added an internal note to a concern",
		concern.ActionSettings: "changed the concern reporting settings", concern.ActionRotate: "replaced the public reporting link",
	} {
		actionLabels[k] = v
	}
}

// concernPublicFormLimit bounds what the public and private pages accept, well below the signed-in limit.
const concernPublicFormLimit = 64 << 10

// concernRoutes adds the concern pages; the public reporting page and the
// reporter's private page work without signing in.
func (h *handler) concernRoutes(signed route, open openRoute) {
	signed("GET /concerns", h.concernList)
	signed("GET /concerns/new", h.concernNew)
	signed("POST /concerns", h.concernReport)
	signed("POST /concerns/settings", h.concernSettings)
	signed("POST /concerns/settings/rotate", h.concernRotate)
	signed("GET /concerns/{ref}", h.concernDetail)
	signed("POST /concerns/{ref}", h.concernUpdate)
	signed("POST /concerns/{ref}/notes", h.concernNote)
	open("GET /report/{secret}", h.publicReportPage)
	open("POST /report/{secret}", h.publicReport)
	open("GET /concerns/receipt/{secret}", h.receiptPage)
	open("POST /concerns/receipt/{secret}/follow-up", h.receiptFollowUp)
}

// concernListData is what the concerns page shows.
type concernListData struct {
	Status   string
	Items    []concern.Concern
	Settings *concern.Settings
	// NewLink is the public link just made, shown this once.
	NewLink string
}

// concernList shows handlers the concerns and the reporting settings, and everyone else how to report.
func (h *handler) concernList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showConcernList(w, r, a, "")
}

func (h *handler) showConcernList(w http.ResponseWriter, r *http.Request, a *aims.Actor, newLink string) {
	d := concernListData{Status: r.URL.Query().Get("status"), NewLink: newLink}
	if identity.Can(a, identity.ActConcernHandle) {
		var err error
		if d.Items, err = h.Concerns.List(r.Context(), a, concern.Query{Status: d.Status}); err != nil {
			h.fail(w, r, err)
			return
		}
		if d.Settings, err = h.Concerns.Settings(r.Context(), a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.show(w, r, http.StatusOK, "Concerns", "concerns", func(v view) templ.Component { return concernListView(v, d) })
}

// concernSettings turns public reporting on or off.
func (h *handler) concernSettings(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	_, link, err := h.Concerns.SetPublic(r.Context(), a, concern.SettingsRequest{Version: formInt(r.PostForm.Get("version")),
		PublicEnabled: r.PostForm.Get("public_enabled") == "1"})
	h.afterSettings(w, r, a, link, err)
}

// concernRotate replaces the public link.
func (h *handler) concernRotate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	_, link, err := h.Concerns.RotateLink(r.Context(), a, formInt(r.PostForm.Get("version")))
	h.afterSettings(w, r, a, link, err)
}

// afterSettings shows a new public link once, on the page itself, or goes back to the list.
func (h *handler) afterSettings(w http.ResponseWriter, r *http.Request, a *aims.Actor, link *concern.PublicLink, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if link != nil {
		h.showConcernList(w, r, a, h.baseURL(r)+link.Path)
		return
	}
	h.flash(r.Context(), "The reporting settings are saved.")
	seeOther(w, r, "/concerns")
}

// concernFormData is the report form as typed.
type concernFormData struct {
	Req     concern.ReportRequest
	Systems []aisystem.System
	// Public holds the public link's secret and the organisation's name on the public page.
	Public, Organisation string
	Errs                 formErrors
}

// concernNew shows the report form.
func (h *handler) concernNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showConcernForm(w, r, a, http.StatusOK, concernFormData{Req: concern.ReportRequest{Category: "other"}})
}

func (h *handler) showConcernForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d concernFormData) {
	var err error
	if d.Systems, err = h.modelSystems(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Report a concern", "concerns", func(v view) templ.Component { return concernFormView(v, d) })
}

// reportFrom reads a report form.
func reportFrom(r *http.Request) concern.ReportRequest {
	f := r.PostForm
	return concern.ReportRequest{Category: f.Get("category"), Summary: f.Get("summary"), Description: f.Get("description"),
		Systems: f["systems"], Anonymous: f.Get("anonymous") == "1"}
}

// concernReport records a member's concern and opens its private page.
func (h *handler) concernReport(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	req := reportFrom(r)
	rc, err := h.Concerns.Report(r.Context(), a, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showConcernForm(w, r, a, status, concernFormData{Req: req, Errs: fe})
		return
	}
	seeOther(w, r, rc.Path+"?new=1")
}

// publicReportPage shows the form anyone may use through the organisation's public link.
func (h *handler) publicReportPage(w http.ResponseWriter, r *http.Request) {
	secret := r.PathValue("secret")
	info, err := h.Concerns.PublicPage(r.Context(), secret)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showPublic(w, r, http.StatusOK, concernFormData{Public: secret, Organisation: info.Organisation, Req: concern.ReportRequest{Category: "other"}})
}

func (h *handler) showPublic(w http.ResponseWriter, r *http.Request, status int, d concernFormData) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	render(w, r, status, concernFormView(view{Title: "Report a concern to " + d.Organisation, Nav: "concerns"}, d))
}

// publicReport records a concern from anyone and opens its private page.
func (h *handler) publicReport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, concernPublicFormLimit)
	if !h.parseForm(w, r) {
		return
	}
	secret := r.PathValue("secret")
	info, err := h.Concerns.PublicPage(r.Context(), secret)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	req := reportFrom(r)
	req.Systems, req.Anonymous = nil, true
	rc, err := h.Concerns.ReportPublic(r.Context(), secret, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showPublic(w, r, status, concernFormData{Public: secret, Organisation: info.Organisation, Req: req, Errs: fe})
		return
	}
	seeOther(w, r, rc.Path+"?new=1")
}

// receiptData is what the reporter's private page shows.
type receiptData struct {
	Secret string
	// Link is the page's full address, shown when the concern was just reported.
	Link     string
	New      bool
	Concern  *concern.ReceiptView
	FollowUp string
	Errs     formErrors
}

// receiptPage shows the reporter the status and answer of their concern.
func (h *handler) receiptPage(w http.ResponseWriter, r *http.Request) {
	h.showReceipt(w, r, http.StatusOK, receiptData{New: r.URL.Query().Get("new") == "1"})
}

func (h *handler) showReceipt(w http.ResponseWriter, r *http.Request, status int, d receiptData) {
	d.Secret = r.PathValue("secret")
	c, err := h.Concerns.ByReceipt(r.Context(), d.Secret)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Concern, d.Link = c, h.baseURL(r)+concern.ReceiptPath(d.Secret)
	w.Header().Set("Referrer-Policy", "no-referrer")
	render(w, r, status, receiptView(view{Title: c.Ref + " · your concern", Nav: "concerns"}, d))
}

// receiptFollowUp adds the reporter's message.
func (h *handler) receiptFollowUp(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, concernPublicFormLimit)
	if !h.parseForm(w, r) {
		return
	}
	d := receiptData{FollowUp: r.PostForm.Get("body")}
	if err := h.Concerns.FollowUp(r.Context(), r.PathValue("secret"), concern.FollowUpRequest{Body: d.FollowUp}); err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs = fe
		h.showReceipt(w, r, status, d)
		return
	}
	seeOther(w, r, concern.ReceiptPath(r.PathValue("secret"))+"#follow-ups")
}

// concernData is what a concern's page shows to its handlers.
type concernData struct {
	Concern *concern.Concern
	Systems []aisystem.System
	History []eventView
	// Form is the handling form as typed.
	Status, Category, Answer, Note string
	Selected                       []string
	Errs, NoteErrs                 formErrors
}

// concernDetail shows a concern to those who handle concerns.
func (h *handler) concernDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	c, err := h.Concerns.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := concernData{Status: c.Status, Category: c.Category, Answer: c.Answer}
	for _, s := range c.Systems {
		d.Selected = append(d.Selected, s.Ref)
	}
	h.showConcern(w, r, a, http.StatusOK, d)
}

func (h *handler) showConcern(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d concernData) {
	var err error
	if d.Concern, err = h.Concerns.Get(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.modelSystems(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, d.Concern.ID, h.Concerns.History); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, d.Concern.Ref+" "+d.Concern.Summary, "concerns", func(v view) templ.Component { return concernDetailView(v, d) })
}

// concernUpdate saves the handling form.
func (h *handler) concernUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := concernData{Status: f.Get("status"), Category: f.Get("category"), Answer: f.Get("answer"), Selected: f["systems"]}
	systems := append([]string{}, d.Selected...)
	req := concern.UpdateRequest{Version: formInt(f.Get("version")), Status: &d.Status, Category: &d.Category, Answer: &d.Answer, Systems: &systems}
	if d.Status == f.Get("current_status") {
		req.Status = nil // an unchanged status lets an answer mark the concern answered
	}
	c, err := h.Concerns.Update(r.Context(), a, r.PathValue("ref"), req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs = fe
		h.showConcern(w, r, a, status, d)
		return
	}
	h.flash(r.Context(), c.Ref+" is saved ("+strings.ToLower(concern.Label(concern.Statuses, c.Status))+").")
	seeOther(w, r, "/concerns/"+c.Ref)
}

// concernNote adds an internal note.
func (h *handler) concernNote(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	body := r.PostForm.Get("body")
	c, err := h.Concerns.AddNote(r.Context(), a, r.PathValue("ref"), concern.NoteRequest{Body: body})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		cur, gerr := h.Concerns.Get(r.Context(), a, r.PathValue("ref"))
		if gerr != nil {
			h.fail(w, r, gerr)
			return
		}
		h.showConcern(w, r, a, status, concernData{Status: cur.Status, Category: cur.Category, Answer: cur.Answer, Note: body, NoteErrs: fe})
		return
	}
	h.flash(r.Context(), "The note is added to "+c.Ref+".")
	seeOther(w, r, "/concerns/"+c.Ref+"#messages")
}

// concernCategoryOptions are the choices of category.
func concernCategoryOptions(selected string) []option {
	out := make([]option, len(concern.Categories))
	for i, c := range concern.Categories {
		out[i] = option{Value: c.Value, Label: c.Label, Selected: c.Value == selected}
	}
	return out
}

// concernStatusChoices are the choices of status.
func concernStatusChoices(selected string) []option {
	out := make([]option, len(concern.Statuses))
	for i, c := range concern.Statuses {
		out[i] = option{Value: c.Value, Label: c.Label, Selected: c.Value == selected}
	}
	return out
}

// concernSystemChoices offers the organisation's AI systems as checkboxes.
func concernSystemChoices(systems []aisystem.System, selected []string) []option {
	in := map[string]bool{}
	for _, s := range selected {
		in[strings.ToUpper(strings.TrimSpace(s))] = true
	}
	out := make([]option, len(systems))
	for i, s := range systems {
		out[i] = option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: in[s.Ref]}
	}
	return out
}

// concernReporterText says who reported, as far as it is known.
func concernReporterText(c concern.Concern) string {
	switch c.Channel {
	case concern.ChannelMember:
		return c.Reporter
	case concern.ChannelPublic:
		return "Public link (anonymous)"
	}
	return "A member, anonymously"
}

// concernStatusFilter are the list's choices of status.
func concernStatusFilter(selected string) []option {
	if selected == "" {
		selected = "open"
	}
	out := []option{{Value: "open", Label: "Open", Selected: selected == "open"}}
	out = append(out, concernStatusChoices(selected)...)
	return append(out, option{Value: "all", Label: "All", Selected: selected == "all"})
}
