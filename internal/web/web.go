// Package web serves aims' pages: server-rendered HTML that works without
// JavaScript, built with templ.
package web

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/auditlog"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/alexedwards/scs/v2"
)

// Deps are what the pages need.
type Deps struct {
	Identity     *identity.Service
	Systems      *aisystem.Service
	Audit        *auditlog.Service
	Sessions     *scs.SessionManager
	MaxBodyBytes int64
	PublicURL    string
}

type staleKey struct{}

// WithStaleSession marks a request whose session's organisation is no longer
// one of the person's, so that the pages can ask them to choose again.
func WithStaleSession(ctx context.Context) context.Context {
	return context.WithValue(ctx, staleKey{}, true)
}

// Register adds the pages to mux.
func Register(mux *http.ServeMux, d Deps) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("aims"))
	})
}
