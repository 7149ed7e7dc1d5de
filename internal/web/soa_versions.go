package web

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/soa"
)

// soaVersions lists the approved versions.
func (h *handler) soaVersions(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	vs, err := h.SoA.Versions(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Versions of the Statement of Applicability", "soa", func(v view) templ.Component { return soaVersionsView(v, vs) })
}

// versionNumber reads the {n} of a path; anything but a positive number is not a version.
func versionNumber(r *http.Request) (int, error) {
	s := r.PathValue("n")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, aims.NotFound("Statement of Applicability version", s)
	}
	return n, nil
}

// soaVersion shows an approved version, read-only.
func (h *handler) soaVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := versionNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ver, err := h.SoA.Version(r.Context(), a, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	groups := groupEntries(ver.Controls)
	h.show(w, r, http.StatusOK, "Statement of Applicability, version "+strconv.Itoa(n), "soa",
		func(v view) templ.Component { return soaVersionView(v, ver, groups) })
}

// soaExportDraft downloads the draft.
func (h *handler) soaExportDraft(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.download(w, r, a, 0)
}

// soaExportVersion downloads an approved version.
func (h *handler) soaExportVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := versionNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.download(w, r, a, n)
}

// download answers an export as an attachment.
func (h *handler) download(w http.ResponseWriter, r *http.Request, a *aims.Actor, n int) {
	f, err := h.SoA.Export(r.Context(), a, n, r.URL.Query().Get("format"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

// compareData is what the comparison page shows.
type compareData struct {
	Versions []soa.VersionSummary
	// From and To are the chosen sides as typed: a number, or "draft".
	From, To string
	Result   *soa.Comparison
	Errs     formErrors
}

// compareSide reads one side of a comparison: a version number, or the draft.
func compareSide(p *aims.Problems, field, s string) int {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "draft") || s == "0" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(s), "v"))
	if err != nil || n < 1 {
		p.Add(field, "must be a version number or the draft")
	}
	return n
}

// soaCompare compares two versions, or a version and the draft.
func (h *handler) soaCompare(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	vs, err := h.SoA.Versions(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := compareData{Versions: vs, From: q.Get("from"), To: q.Get("to")}
	if d.From == "" && d.To == "" {
		// By default: the latest version against the draft, when there is one.
		if len(vs) == 0 {
			h.show(w, r, http.StatusOK, "Compare versions", "soa", func(v view) templ.Component { return soaCompareView(v, d) })
			return
		}
		d.From, d.To = strconv.Itoa(vs[0].Number), "draft"
	}
	var p aims.Problems
	from, to := compareSide(&p, "from", d.From), compareSide(&p, "to", d.To)
	status := http.StatusOK
	if err = p.Err(); err == nil {
		d.Result, err = h.SoA.Compare(ctx, a, from, to)
	}
	if err != nil {
		fe, st, ok := formProblem(err)
		if !ok && aims.CodeOf(err) != aims.CodeNotFound {
			h.fail(w, r, err)
			return
		}
		if !ok {
			fe, st = formErrors{Message: sentence(aims.AsError(err).Message) + "."}, http.StatusNotFound
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Compare versions", "soa", func(v view) templ.Component { return soaCompareView(v, d) })
}

// compareValue words a compared field's value for people.
func compareValue(field, v string) string {
	if v == "" {
		return ""
	}
	if field == "status" {
		return soa.StatusLabel(v)
	}
	return v
}

// kindClass is the badge class of a kind of difference.
func kindClass(kind string) string {
	switch kind {
	case soa.KindAdded:
		return "badge badge-ok"
	case soa.KindRemoved:
		return "badge badge-warn"
	}
	return "badge"
}

// versionOptions are the choices of a comparison's side: the draft and every version.
func versionOptions(vs []soa.VersionSummary, chosen string) []option {
	chosen = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(chosen)), "v")
	out := []option{{Value: "draft", Label: "The draft", Selected: chosen == "draft" || chosen == "0" || chosen == ""}}
	for _, v := range vs {
		n := strconv.Itoa(v.Number)
		out = append(out, option{Value: n, Label: "Version " + n + " (" + fmtTime(v.ApprovedAt) + ")", Selected: chosen == n})
	}
	return out
}

// exportFormats are the downloads offered, with their labels.
var exportFormats = []option{{Value: "pdf", Label: "PDF"}, {Value: "xlsx", Label: "XLSX"}, {Value: "csv", Label: "CSV"}, {Value: "md", Label: "Markdown"}}
