package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// flashKey holds a one-time message shown on the next page.
const flashKey = "flash"

// view is what the layout needs on every page.
type view struct {
	Title string
	// Nav names the navigation entry of the page: dashboard, systems, audit, members or settings.
	Nav   string
	Actor *aims.Actor
	// OrgName names the person's current organisation.
	OrgName string
	// Orgs are all the person's memberships, for the organisation switcher.
	Orgs  []identity.Membership
	Flash string
	// Unread counts the person's unread notifications, for the header.
	Unread int
}

// Can reports whether the person may perform an action, to show only what they can do.
func (v view) Can(action string) bool { return identity.Can(v.Actor, action) }

// page builds the layout data of a page for the request's actor.
func (h *handler) page(r *http.Request, title, nav string) (view, error) {
	ctx := r.Context()
	v := view{Title: title, Nav: nav, Actor: aims.ActorFrom(ctx)}
	if v.Actor != nil && v.Actor.UserID != "" {
		ms, err := h.Identity.Memberships(ctx, v.Actor.UserID)
		if err != nil {
			return v, err
		}
		v.Orgs = ms
		for _, m := range ms {
			if m.OrgID == v.Actor.OrgID {
				v.OrgName = m.OrgName
			}
		}
		if v.Unread, err = h.Notifications.UnreadCount(ctx, v.Actor); err != nil {
			return v, err
		}
	}
	v.Flash = h.Sessions.PopString(ctx, flashKey)
	return v, nil
}

// flash leaves a message for the next page the person sees.
func (h *handler) flash(ctx context.Context, msg string) { h.Sessions.Put(ctx, flashKey, msg) }

// render writes a page with a status. The page is rendered into a buffer
// first so that a failure cannot leave half a page behind.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		slog.Error("cannot render page", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// show renders a page built from the request's layout data.
func (h *handler) show(w http.ResponseWriter, r *http.Request, status int, title, nav string, body func(view) templ.Component) {
	v, err := h.page(r, title, nav)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	render(w, r, status, body(v))
}

// seeOther redirects after a successful POST, or to another page.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// errorInfo is what an error page says.
type errorInfo struct {
	Status  int
	Heading string
	Message string
	Detail  string
}

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

// fail answers a request whose service call failed with the page that fits
// the error. Internal errors are logged and never shown.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.errorPage(w, r, errorInfo{Status: http.StatusRequestEntityTooLarge, Heading: "The form is too large",
			Message: "What you sent is larger than aims accepts (" + strconv.FormatInt(tooBig.Limit, 10) +
				" bytes). Shorten the longest texts and send it again."})
		return
	}
	e := aims.AsError(err)
	info := errorInfo{Status: statusOf[e.Code]}
	switch e.Code {
	case aims.CodeUnauthenticated:
		if r.Method == http.MethodGet {
			seeOther(w, r, loginPath(r))
			return
		}
		info.Heading, info.Message = "Please sign in", sentence(e.Message)
	case aims.CodeNotFound:
		info.Heading, info.Message = "Page not found", sentence(e.Message)+"."
	case aims.CodeForbidden:
		info.Heading = "You cannot do this"
		info.Message = "Your role does not allow this action in this organisation. If you need it, ask an owner of the organisation to change your role."
		if a := aims.ActorFrom(r.Context()); a != nil {
			info.Message = "Your role in this organisation, " + roleLabel(a.Role) +
				", does not allow this action. If you need it, ask an owner of the organisation to change your role."
		}
		info.Detail = sentence(e.Message) + "."
	case aims.CodeConflict:
		info.Heading, info.Message = "This cannot be done now", sentence(e.Message)+"."
	case aims.CodeInvalid:
		info.Heading, info.Message = "Some values are not valid", sentence(e.Message)+"."
		for _, f := range e.Fields {
			info.Detail += fieldLabel(f.Field) + " " + f.Message + ". "
		}
	case aims.CodeTooMany:
		if e.RetryAfterSeconds > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
		}
		info.Heading, info.Message = "Too many attempts", sentence(e.Message)+"."
	default:
		slog.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		info.Status = http.StatusInternalServerError
		info.Heading = "Something went wrong"
		info.Message = "aims could not complete this request. The problem has been logged; please try again in a moment."
	}
	h.errorPage(w, r, info)
}

// errorPage renders an error page, with the layout of the signed-in person when possible.
func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, info errorInfo) {
	v := view{Title: info.Heading, Actor: aims.ActorFrom(r.Context())}
	if info.Status != http.StatusInternalServerError {
		if pv, err := h.page(r, info.Heading, ""); err == nil {
			v = pv
		}
	}
	render(w, r, info.Status, errorPageView(v, info))
}

// notFound answers any path that is not a page.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, errorInfo{Status: http.StatusNotFound, Heading: "Page not found",
		Message: "There is no page at this address. Check the address, or start again from the dashboard."})
}

// sentence capitalises the first letter of a service message.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// loginPath is the sign-in page that returns to the request's page afterwards.
func loginPath(r *http.Request) string {
	if r.Method != http.MethodGet {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(r.URL.RequestURI())
}

// localPath returns next when it is a path on this site, else "/".
func localPath(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, `/\`) {
		return next
	}
	return "/"
}

// gate limits request bodies and sends everyone to the setup page until
// aims has been set up.
func (h *handler) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, h.bodyLimit(r))
		}
		done, err := h.isSetUp(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if !done && r.URL.Path != "/setup" {
			seeOther(w, r, "/setup")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isSetUp reports whether the one-time setup has happened.
func (h *handler) isSetUp(ctx context.Context) (bool, error) {
	if h.setUp.Load() {
		return true, nil
	}
	needs, err := h.Identity.NeedsSetup(ctx)
	if err != nil {
		return false, err
	}
	if !needs {
		h.setUp.Store(true)
	}
	return !needs, nil
}

// actorFunc is a handler for signed-in people.
type actorFunc func(w http.ResponseWriter, r *http.Request, a *aims.Actor)

// signedIn runs f for a signed-in person; anyone else goes to the sign-in
// page, and a person whose organisation is gone is asked to choose again.
func (h *handler) signedIn(f actorFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := aims.ActorFrom(r.Context())
		if a != nil {
			f(w, r, a)
			return
		}
		if isStale(r.Context()) || h.Sessions.GetString(r.Context(), identity.SessionUserKey) != "" {
			h.chooseOrg(w, r)
			return
		}
		seeOther(w, r, loginPath(r))
	})
}

// parseForm reads a posted form within the body limit; on failure it has
// answered and returns false.
func (h *handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.fail(w, r, err)
			return false
		}
		h.errorPage(w, r, errorInfo{Status: http.StatusBadRequest, Heading: "The form could not be read",
			Message: "What was sent is not a form aims understands. Go back, reload the page and try again."})
		return false
	}
	return true
}
