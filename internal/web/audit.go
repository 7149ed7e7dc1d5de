package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/auditlog"
	"github.com/aims-dev/aims/internal/tlog"
)

// auditPageSize is how many audit events one page shows.
const auditPageSize = 50

// auditData is what the audit log page shows.
type auditData struct {
	Status      *auditlog.Status
	VerifierKey string
	Events      []eventView
	// Before is the index the page starts below; 0 for the newest page.
	Before    int64
	OlderHref string
	NewerHref string
}

// auditPage shows the audit log's status and its entries, newest first.
func (h *handler) auditPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	d := auditData{VerifierKey: h.Audit.VerifierKey}
	if s := r.URL.Query().Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			h.fail(w, r, &aims.Error{Code: aims.CodeInvalid, Message: "invalid address",
				Fields: []aims.FieldError{{Field: "before", Message: "must be an entry number"}}})
			return
		}
		d.Before = n
	}
	var err error
	if d.Status, err = h.Audit.QuickStatus(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	evs, err := h.Audit.Events(ctx, a, tlog.EventFilter{Before: d.Before, Limit: auditPageSize})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, err := h.memberNames(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Events = eventsView(evs, names)
	if n := len(evs); n == auditPageSize && evs[n-1].Index > 0 {
		d.OlderHref = "/audit?before=" + strconv.FormatInt(evs[n-1].Index, 10)
	}
	if d.Before > 0 {
		// Entries are numbered without gaps, so the newer page starts a page size above.
		if newer := d.Before + auditPageSize; newer < d.Status.Size {
			d.NewerHref = "/audit?before=" + strconv.FormatInt(newer, 10)
		} else {
			d.NewerHref = "/audit"
		}
	}
	h.show(w, r, http.StatusOK, "Audit log", "audit", func(v view) templ.Component { return auditView(v, d) })
}

// auditVerify fully verifies the organisation's audit log and shows the report.
func (h *handler) auditVerify(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	rep, err := h.Audit.Verify(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Audit log verification", "audit", func(v view) templ.Component { return auditVerifyView(v, rep) })
}

// auditCheckpoint signs a checkpoint now and returns to the audit log.
func (h *handler) auditCheckpoint(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	cp, err := h.Audit.Sign(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "The latest checkpoint covers "+plural(cp.Size, "entry", "entries")+", signed "+fmtTime(cp.SignedAt)+".")
	seeOther(w, r, "/audit")
}
