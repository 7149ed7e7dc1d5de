// Package web serves aims' pages: server-rendered HTML that works without
// JavaScript, built with templ. Handlers decode a request, call a service
// with the request's actor and render the result; every rule lives in the
// services.
package web

//go:generate go tool templ generate

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/auditlog"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/concern"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/monitor"
	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/aims-dev/aims/internal/review"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/alexedwards/scs/v2"
)

// Deps are what the pages need.
type Deps struct {
	Identity        *identity.Service
	Systems         *aisystem.Service
	Audit           *auditlog.Service
	Catalog         *catalog.Service
	SoA             *soa.Service
	Evidence        *evidence.Service
	Readiness       *readiness.Service
	Risks           *risk.Service
	Impact          *impact.Service
	Datasets        *dataset.Service
	Models          *model.Service
	Decisions       *decision.Service
	Monitors        *monitor.Service
	Lifecycle       *lifecycle.Service
	Suppliers       *supplier.Service
	Documents       *document.Service
	Context         *orgcontext.Service
	People          *people.Service
	Concerns        *concern.Service
	Objectives      *objective.Service
	Incidents       *incident.Service
	Nonconformities *nonconformity.Service
	InternalAudits  *internalaudit.Service
	Reviews         *review.Service
	Notifications   *notify.Service
	// Sessions is the browser session manager; its LoadAndSave must wrap the pages.
	Sessions *scs.SessionManager
	// MaxBodyBytes limits a posted form; larger ones answer 413.
	MaxBodyBytes int64
	// PublicURL is the address people use to reach aims; invitation links
	// start with it. When empty they are derived from the request.
	PublicURL string
	// TrustProxy lets derived links take their scheme from X-Forwarded-Proto.
	TrustProxy bool
}

type staleKey struct{}

// WithStaleSession marks a request whose session's organisation is no longer
// one of the person's, so that the pages can ask them to choose again.
func WithStaleSession(ctx context.Context) context.Context {
	return context.WithValue(ctx, staleKey{}, true)
}

// isStale reports whether the request was marked by WithStaleSession.
func isStale(ctx context.Context) bool {
	v, _ := ctx.Value(staleKey{}).(bool)
	return v
}

// handler holds the dependencies of every page.
type handler struct {
	Deps
	// setUp caches that setup has happened; it never goes back to false.
	setUp atomic.Bool
}

// defaultMaxBody applies when Deps.MaxBodyBytes is not set.
const defaultMaxBody = 1 << 20

// route registers a page for signed-in people.
type route func(pattern string, f actorFunc)

// openRoute registers a page anyone may use without signing in.
type openRoute func(pattern string, f http.HandlerFunc)

// Register adds the pages to mux.
func Register(mux *http.ServeMux, d Deps) {
	h := &handler{Deps: d}
	if h.MaxBodyBytes <= 0 {
		h.MaxBodyBytes = defaultMaxBody
	}
	mux.HandleFunc("GET /static/{file...}", serveStatic)

	var open openRoute = func(pattern string, f http.HandlerFunc) { mux.Handle(pattern, h.gate(f)) }
	var signed route = func(pattern string, f actorFunc) { mux.Handle(pattern, h.gate(h.signedIn(f))) }

	open("GET /setup", h.setupPage)
	open("POST /setup", h.setupSubmit)
	open("GET /login", h.loginPage)
	open("POST /login", h.loginSubmit)
	open("POST /logout", h.logout)
	open("POST /org", h.switchOrg)
	open("GET /invite/{token}", h.invitePage)
	open("POST /invite/{token}", h.inviteSubmit)

	signed("GET /{$}", h.dashboard)

	signed("GET /systems", h.systemList)
	signed("POST /systems", h.systemCreate)
	signed("GET /systems/new", h.systemNew)
	signed("GET /systems/{ref}", h.systemDetail)
	signed("POST /systems/{ref}", h.systemUpdate)
	signed("GET /systems/{ref}/edit", h.systemEdit)
	signed("POST /systems/{ref}/archive", h.systemArchive)
	signed("POST /systems/{ref}/restore", h.systemRestore)

	h.catalogRoutes(signed)
	h.soaRoutes(signed)
	h.evidenceRoutes(signed)
	h.readinessRoutes(signed)
	h.riskRoutes(signed)
	h.impactRoutes(signed)
	h.datasetRoutes(signed)
	h.modelRoutes(signed)
	h.decisionRoutes(signed)
	h.monitorRoutes(signed)
	h.lifecycleRoutes(signed)
	h.supplierRoutes(signed)
	h.documentRoutes(signed)
	h.contextRoutes(signed)
	h.peopleRoutes(signed)
	h.concernRoutes(signed, open)
	h.objectiveRoutes(signed)
	h.incidentRoutes(signed)
	h.nonconformityRoutes(signed)
	h.internalAuditRoutes(signed)
	h.reviewRoutes(signed)
	h.notificationRoutes(signed)

	signed("GET /audit", h.auditPage)
	signed("POST /audit/verify", h.auditVerify)
	signed("POST /audit/checkpoint", h.auditCheckpoint)

	signed("GET /settings", h.settingsPage)
	signed("POST /settings/password", h.changePassword)
	signed("POST /settings/tokens", h.createToken)
	signed("POST /settings/tokens/{id}/revoke", h.revokeToken)

	signed("GET /members", h.membersPage)
	signed("POST /members", h.addMember)
	signed("POST /members/{user_id}/role", h.changeRole)
	signed("POST /members/{user_id}/remove", h.removeMember)

	// Everything else that is a GET is a page that does not exist; unknown
	// API paths get the plain answer the API gave before the pages existed.
	missing := h.gate(http.HandlerFunc(h.notFound))
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			http.NotFound(w, r)
			return
		}
		missing.ServeHTTP(w, r)
	})
}
