package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/job"
	"github.com/aims-dev/aims/internal/web"
	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the HTTP side of an App: pages, API, health and metrics.
type Server struct {
	app      *App
	Handler  http.Handler
	Sessions *scs.SessionManager
	draining atomic.Bool
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewServer builds the HTTP handler of the app.
func NewServer(a *App) *Server {
	s := &Server{app: a, registry: prometheus.NewRegistry()}
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aims_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "code"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "aims_http_request_duration_seconds", Help: "HTTP request duration by route.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	s.registry.MustRegister(s.requests, s.duration)

	sm := scs.New()
	sm.Store = a.Identity.Sessions()
	sm.HashTokenInStore = true
	sm.Lifetime = a.Config.SessionLifetime
	sm.IdleTimeout = min(a.Config.SessionLifetime, 2*time.Hour)
	sm.Cookie.Name = "aims_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = a.Config.SecureCookies()
	sm.Cookie.Path = "/"
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		slog.Error("session error", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	s.Sessions = sm

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	api.Register(mux, api.Services{Identity: a.Identity, Systems: a.Systems, Audit: a.Audit, Catalog: a.Catalog,
		SoA: a.SoA, Evidence: a.Evidence, Readiness: a.Readiness, Risks: a.Risks, Impact: a.Impact,
		Datasets: a.Datasets, Models: a.Models, Lifecycle: a.Lifecycle, Suppliers: a.Suppliers,
		Documents: a.Documents, Context: a.Context, People: a.People, Concerns: a.Concerns, Objectives: a.Objectives, Incidents: a.Incidents, Nonconformities: a.Nonconformities, InternalAudits: a.InternalAudits, Reviews: a.Reviews, Notifications: a.Notifications, Decisions: a.Decisions, Monitors: a.Monitors}, a.Config.MaxBodyBytes)
	web.Register(mux, web.Deps{Identity: a.Identity, Systems: a.Systems, Audit: a.Audit, Catalog: a.Catalog,
		SoA: a.SoA, Evidence: a.Evidence, Readiness: a.Readiness, Risks: a.Risks, Impact: a.Impact,
		Datasets: a.Datasets, Models: a.Models, Lifecycle: a.Lifecycle, Suppliers: a.Suppliers,
		Documents: a.Documents, Context: a.Context, People: a.People, Concerns: a.Concerns, Objectives: a.Objectives, Incidents: a.Incidents, Nonconformities: a.Nonconformities, InternalAudits: a.InternalAudits, Reviews: a.Reviews, Notifications: a.Notifications, Decisions: a.Decisions, Monitors: a.Monitors, Sessions: sm,
		MaxBodyBytes: a.Config.MaxBodyBytes, PublicURL: a.Config.PublicURL, TrustProxy: a.Config.TrustProxy})

	csrf := http.NewCrossOriginProtection()
	if a.Config.PublicURL != "" {
		_ = csrf.AddTrustedOrigin(strings.TrimSuffix(a.Config.PublicURL, "/"))
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	var h http.Handler = api.PlainErrors(routeLabel(mux))
	h = s.authenticate(h)
	h = sm.LoadAndSave(h)
	h = csrf.Handler(h)
	h = securityHeaders(h)
	h = s.instrument(h)
	s.Handler = h
	return s
}

// ready answers 200 while the database answers and the server is not draining.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if err := s.app.DB.SQL.PingContext(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// authenticate puts the request's actor in its context: from a Bearer
// token, or else from the browser session. A presented but invalid token is
// refused at once rather than treated as anonymous.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := aims.WithClientAddr(r.Context(), s.clientAddr(r))
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				api.WriteProblem(w, aims.Errorf(aims.CodeUnauthenticated, "the Authorization header must be Bearer TOKEN"))
				return
			}
			actor, err := s.app.Identity.AuthenticateToken(ctx, strings.TrimSpace(token))
			if err != nil {
				api.WriteProblem(w, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(aims.WithActor(ctx, actor)))
			return
		}
		if uid := s.Sessions.GetString(ctx, identity.SessionUserKey); uid != "" {
			actor, err := s.app.Identity.ActorFor(ctx, uid, s.Sessions.GetString(ctx, identity.SessionOrgKey))
			switch {
			case err == nil:
				ctx = aims.WithActor(ctx, actor)
			case aims.CodeOf(err) == aims.CodeUnauthenticated:
				// The membership ended: forget the organisation, keep the person signed in.
				s.Sessions.Remove(ctx, identity.SessionOrgKey)
				ctx = web.WithStaleSession(ctx)
			default:
				slog.Error("cannot resolve session", "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// clientAddr is the client's IP address, from X-Forwarded-For only when
// the proxy in front is trusted.
func (s *Server) clientAddr(r *http.Request) string {
	if s.app.Config.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type routeKey struct{}

// routeLabel records the matched pattern for metrics; the mux sets it on the
// request it is given.
func routeLabel(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			*p = r.Pattern
		}
	})
}

// statusWriter remembers the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times requests, logs them, and turns a panic into a 500.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := new(string)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				slog.Error("panic serving request", "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			label := *route
			if label == "" {
				label = "unmatched"
			}
			code := sw.status
			if code == 0 {
				code = http.StatusOK
			}
			s.requests.WithLabelValues(label, r.Method, strconv.Itoa(code)).Inc()
			s.duration.WithLabelValues(label).Observe(time.Since(start).Seconds())
			slog.Debug("request", "method", r.Method, "route", label, "status", code, "duration", time.Since(start))
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, route)))
	})
}

// securityHeaders sets headers every response should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// Run serves HTTP on the configured address and runs the background jobs
// until ctx ends; then it stops taking requests, lets those in flight
// finish (up to the shutdown timeout), and signs a last checkpoint.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	cfg := s.app.Config
	srv := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	jobs, stopJobs := context.WithCancel(context.Background())
	defer stopJobs()
	go job.Every(jobs, "sign checkpoints", cfg.CheckpointInterval, func(ctx context.Context) error {
		_, err := s.app.Logs.SignAll(ctx)
		return err
	})
	go job.Every(jobs, "record readiness", time.Hour, s.app.Readiness.RecordAll)
	go job.Every(jobs, "remove interrupted evidence uploads", time.Hour, s.app.Evidence.RemoveStaleUploads)
	go job.Every(jobs, "erase decision payloads past their retention", time.Hour, func(ctx context.Context) error {
		_, err := s.app.Decisions.EraseExpired(ctx)
		return err
	})
	go job.Every(jobs, "judge monitoring windows", time.Minute, s.app.Monitors.EvaluateDue)
	if cfg.ReminderInterval > 0 {
		go job.Every(jobs, "send reminders", cfg.ReminderInterval, s.app.Notifications.Run)
	}
	go job.Every(jobs, "remove expired sessions and sign-in failures", time.Hour, func(ctx context.Context) error {
		_, err := s.app.Identity.PurgeExpired(ctx)
		return err
	})
	// Sign anything left from a previous run at once.
	if _, err := s.app.Logs.SignAll(ctx); err != nil {
		slog.Error("cannot sign checkpoints", "err", err)
	}

	errc := make(chan error, 1)
	go func() {
		var err error
		if cfg.TLSCertFile != "" {
			err = srv.ServeTLS(ln, cfg.TLSCertFile, cfg.TLSKeyFile)
		} else {
			err = srv.Serve(ln)
		}
		errc <- err
	}()
	slog.Info("aims is serving", "addr", ln.Addr().String(), "database", s.app.DB.Location)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	slog.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	stopJobs()
	if _, serr := s.app.Logs.SignAll(sctx); serr != nil {
		slog.Error("cannot sign the final checkpoints", "err", serr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	slog.Info("aims stopped")
	return nil
}
