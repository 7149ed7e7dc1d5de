// Package api is the JSON API under /api/v1, described by the OpenAPI
// document at /api/openapi.json. Handlers decode, call a service with the
// actor of the request and encode; every rule lives in the services.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
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
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// Version is the version of the API document.
const Version = "1.0.0"

// OpenAPIPath is where the OpenAPI document is served, without its extension.
const OpenAPIPath = "/api/openapi"

// Services are what the API calls.
type Services struct {
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
	Decisions       *decision.Service
	Monitors        *monitor.Service
}

// Register adds every API operation to mux and returns the API, whose
// OpenAPI document describes them. maxBody limits request bodies.
func Register(mux *http.ServeMux, s Services, maxBody int64) huma.API {
	cfg := huma.DefaultConfig("aims", Version)
	cfg.Info.Description = "The JSON API of aims, an AI management system for ISO/IEC 42001. " +
		"Authenticate with `Authorization: Bearer TOKEN` (create tokens with `aims token create` or on your settings page). " +
		"Errors are RFC 9457 problem details; invalid input answers 422 and names every bad field in `errors[].location`."
	cfg.OpenAPIPath = OpenAPIPath
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil // no $schema links in responses
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token such as aims_…"},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	huma.NewError = newError
	api := humago.New(mux, cfg)
	r := &registrar{api: api, maxBody: maxBody}
	registerMe(r, s)
	registerSystems(r, s)
	registerAudit(r, s)
	registerTokens(r, s)
	registerMembers(r, s)
	registerCatalog(r, s)
	registerSoA(r, s)
	registerEvidence(r, s)
	registerReadiness(r, s)
	registerRisks(r, s)
	registerImpact(r, s)
	registerDatasets(r, s)
	registerModels(r, s)
	registerLifecycle(r, s)
	registerSuppliers(r, s)
	registerDocuments(r, s)
	registerContext(r, s)
	registerPeople(r, s)
	registerConcerns(r, s)
	registerObjectives(r, s)
	registerIncidents(r, s)
	registerNonconformities(r, s)
	registerInternalAudits(r, s)
	registerReviews(r, s)
	registerNotifications(r, s)
	registerDecisions(r, s)
	registerMonitors(r, s)
	return api
}

// schemaPrefixes name the schemas of each package's types, so that two
// packages' Page or Item never collide in the OpenAPI document.
var schemaPrefixes = map[string]string{
	"aims": "", "aisystem": "AISystem", "identity": "Identity", "tlog": "Log", "auditlog": "Audit",
	"catalog": "Catalog", "soa": "SoA", "evidence": "Evidence", "readiness": "Readiness", "risk": "Risk", "impact": "Impact",
	"dataset": "Dataset", "profile": "Profile", "model": "Model", "lifecycle": "Lifecycle",
	"document": "Document", "orgcontext": "Context", "people": "People", "concern": "Concern", "objective": "Objective",
	"incident": "Incident", "nonconformity": "Nonconformity", "internalaudit": "InternalAudit", "review": "Review",
	"notify": "Notification", "decision": "Decision", "monitor": "Monitor",
}

// schemaName is huma's name for a type, prefixed with its package's word.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	prefix := schemaPrefixes[path.Base(t.PkgPath())]
	switch {
	case prefix == "" || t.Name() == "" || strings.HasPrefix(name, prefix):
		return name
	case strings.HasSuffix(strings.ToLower(prefix), strings.ToLower(name)):
		return prefix
	}
	return prefix + name
}

// registrar adds operations with the settings every operation shares.
type registrar struct {
	api     huma.API
	maxBody int64
}

func (r *registrar) op(op huma.Operation) huma.Operation {
	if op.MaxBodyBytes == 0 {
		op.MaxBodyBytes = r.maxBody
	}
	op.Errors = append([]int{http.StatusUnauthorized, http.StatusForbidden}, op.Errors...)
	return op
}

// register adds one operation to the API.
func register[I, O any](r *registrar, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	huma.Register(r.api, r.op(op), h)
}

// actor returns the actor of the request; the services refuse a nil one.
func actor(ctx context.Context) *aims.Actor { return aims.ActorFrom(ctx) }

// statusOf maps an error code to its HTTP status.
var statusOf = map[aims.Code]int{
	aims.CodeInvalid:         http.StatusUnprocessableEntity,
	aims.CodeNotFound:        http.StatusNotFound,
	aims.CodeConflict:        http.StatusConflict,
	aims.CodeForbidden:       http.StatusForbidden,
	aims.CodeUnauthenticated: http.StatusUnauthorized,
	aims.CodeTooMany:         http.StatusTooManyRequests,
	aims.CodeInternal:        http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error, for handlers outside huma.
func StatusOf(err error) int { return statusOf[aims.CodeOf(err)] }

// problem turns a service error into an RFC 9457 problem whose errors name
// each bad field at its location (body.name, query.limit, …).
func problem(err error, location string) error {
	if err == nil {
		return nil
	}
	e := aims.AsError(err)
	status := statusOf[e.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	msg := e.Message
	if e.Code == aims.CodeInternal {
		slog.Error("internal error", "err", err)
		msg = "internal error"
	} else if e.Code != aims.CodeInvalid {
		msg = err.Error()
		if len(e.Fields) > 0 {
			msg = e.Message
		}
	}
	details := make([]error, 0, len(e.Fields))
	for _, f := range e.Fields {
		loc := f.Field
		if location != "" {
			loc = location + "." + f.Field
		}
		details = append(details, &huma.ErrorDetail{Location: loc, Message: f.Message})
	}
	out := huma.NewError(status, msg, details...)
	h := http.Header{}
	switch e.Code {
	case aims.CodeUnauthenticated:
		h.Set("WWW-Authenticate", `Bearer realm="aims"`)
	case aims.CodeTooMany:
		h.Set("Retry-After", strconv.Itoa(max(e.RetryAfterSeconds, 1)))
	}
	if len(h) > 0 {
		return huma.ErrorWithHeaders(out, h)
	}
	return out
}

// WriteProblem writes an error as problem+json outside huma, for the
// authentication middleware.
func WriteProblem(w http.ResponseWriter, err error) {
	e := aims.AsError(err)
	status := StatusOf(err)
	if e.Code == aims.CodeUnauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="aims"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	msg := e.Message
	if e.Code == aims.CodeInternal {
		msg = "internal error"
	}
	_, _ = w.Write(mustJSON(huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: msg}))
}

// defaultNewError is huma's own error constructor, which newError refines.
var defaultNewError = huma.NewError

// missingProperty matches huma's message for an absent required property.
var missingProperty = regexp.MustCompile(`^expected required property (\S+) to be present$`)

// newError answers malformed JSON with 422 like any other invalid input, and
// names a missing required property at its own location (body.name) rather
// than at the object holding it.
func newError(status int, msg string, errs ...error) huma.StatusError {
	if status == http.StatusBadRequest {
		status = http.StatusUnprocessableEntity
	}
	out := defaultNewError(status, msg, errs...)
	if m, ok := out.(*huma.ErrorModel); ok {
		for _, d := range m.Errors {
			if d == nil {
				continue
			}
			if sub := missingProperty.FindStringSubmatch(d.Message); sub != nil {
				d.Location = d.Location + "." + sub[1]
				d.Message = "is required"
				d.Value = nil
			} else if d.Message == "expected length >= 1" {
				d.Message = "is required"
			}
		}
	}
	return out
}

// PlainErrors makes the answers the mux itself gives under /api/ (404 for
// an unknown path, 405 for a wrong method) problem details like every
// other API error.
func PlainErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&problemWriter{ResponseWriter: w}, r)
	})
}

// problemWriter replaces a plain-text 404 or 405 with a problem document.
type problemWriter struct {
	http.ResponseWriter
	replaced bool
}

func (p *problemWriter) WriteHeader(status int) {
	h := p.Header()
	if (status == http.StatusNotFound || status == http.StatusMethodNotAllowed) &&
		strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		p.replaced = true
		h.Set("Content-Type", "application/problem+json")
		p.ResponseWriter.WriteHeader(status)
		detail := "no such API operation"
		if status == http.StatusMethodNotAllowed {
			detail = "the method is not allowed here; allowed: " + h.Get("Allow")
		}
		_, _ = p.ResponseWriter.Write(mustJSON(huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: detail}))
		return
	}
	p.ResponseWriter.WriteHeader(status)
}

func (p *problemWriter) Write(b []byte) (int, error) {
	if p.replaced {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (p *problemWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
