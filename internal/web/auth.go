package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// setupForm is the state of the first-start form.
type setupForm struct {
	Organisation string
	Name         string
	Email        string
	Errs         formErrors
}

// setupFields maps the setup request's fields to their controls.
var setupFields = map[string]string{"organisation": "organisation", "name": "name", "email": "email", "password": "password"}

// setupPage shows the one-time setup form while aims has no users.
func (h *handler) setupPage(w http.ResponseWriter, r *http.Request) {
	if h.afterSetup(w, r) {
		return
	}
	h.show(w, r, http.StatusOK, "Set up aims", "", func(v view) templ.Component { return setupView(v, setupForm{}) })
}

// afterSetup sends people away from the setup page once aims is set up.
func (h *handler) afterSetup(w http.ResponseWriter, r *http.Request) bool {
	done, err := h.isSetUp(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return true
	}
	if !done {
		return false
	}
	if aims.ActorFrom(r.Context()) != nil {
		seeOther(w, r, "/")
	} else {
		seeOther(w, r, "/login")
	}
	return true
}

// setupSubmit creates the first organisation and its owner, and signs them in.
func (h *handler) setupSubmit(w http.ResponseWriter, r *http.Request) {
	if h.afterSetup(w, r) || !h.parseForm(w, r) {
		return
	}
	f := setupForm{Organisation: r.PostForm.Get("organisation"), Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email")}
	user, org, err := h.Identity.Setup(r.Context(), identity.SetupRequest{
		Organisation: f.Organisation, Name: f.Name, Email: f.Email, Password: r.PostForm.Get("password")})
	if err != nil {
		if e := aims.AsError(err); e.Code == aims.CodeConflict && len(e.Fields) == 0 {
			seeOther(w, r, "/login") // someone else finished setup first
			return
		}
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.show(w, r, status, "Set up aims", "", func(v view) templ.Component { return setupView(v, f) })
		return
	}
	h.setUp.Store(true)
	if err := h.signIn(r.Context(), user.ID, org.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "Welcome to aims. "+org.Name+" is ready: start by registering your AI systems.")
	seeOther(w, r, "/")
}

// signIn starts a fresh session for a person in an organisation; the new
// token guards against session fixation.
func (h *handler) signIn(ctx context.Context, userID, orgID string) error {
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.Sessions.Put(ctx, identity.SessionUserKey, userID)
	h.Sessions.Put(ctx, identity.SessionOrgKey, orgID)
	return nil
}

// loginForm is the state of the sign-in form.
type loginForm struct {
	Email   string
	Next    string
	Message string
}

// loginPage shows the sign-in form, or sends a signed-in person on.
func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if aims.ActorFrom(r.Context()) != nil {
		seeOther(w, r, localPath(next))
		return
	}
	h.showLogin(w, r, http.StatusOK, loginForm{Next: next})
}

func (h *handler) showLogin(w http.ResponseWriter, r *http.Request, status int, f loginForm) {
	h.show(w, r, status, "Sign in", "", func(v view) templ.Component { return loginView(v, f) })
}

// loginSubmit checks the email and password and starts a session.
func (h *handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := loginForm{Email: r.PostForm.Get("email"), Next: r.PostForm.Get("next")}
	ctx := r.Context()
	user, ms, err := h.Identity.Login(ctx, f.Email, r.PostForm.Get("password"), aims.ClientAddrFrom(ctx))
	if err != nil {
		e := aims.AsError(err)
		switch e.Code {
		case aims.CodeUnauthenticated:
			f.Message = "The email or password is wrong. Check them and try again."
			h.showLogin(w, r, http.StatusUnauthorized, f)
		case aims.CodeTooMany:
			w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
			f.Message = "Too many failed sign-ins. For your account's safety, wait " +
				plural(int64(e.RetryAfterSeconds), "second", "seconds") + " before you try again."
			h.showLogin(w, r, http.StatusTooManyRequests, f)
		default:
			h.fail(w, r, err)
		}
		return
	}
	if len(ms) == 0 {
		f.Message = "Your account does not belong to any organisation. Ask an owner of your organisation to add you."
		h.showLogin(w, r, http.StatusForbidden, f)
		return
	}
	if err := h.signIn(ctx, user.ID, ms[0].OrgID); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, localPath(f.Next))
}

// logout ends the session.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := h.Identity.Logout(ctx, aims.ActorFrom(ctx)); err != nil {
		slog.Error("cannot record sign-out", "err", err)
	}
	if err := h.Sessions.Destroy(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/login")
}

// switchOrg makes another of the person's organisations the current one.
func (h *handler) switchOrg(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	uid := h.Sessions.GetString(ctx, identity.SessionUserKey)
	if uid == "" {
		seeOther(w, r, "/login")
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	ms, err := h.Identity.Memberships(ctx, uid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	want := r.PostForm.Get("org")
	for _, m := range ms {
		if m.OrgID == want {
			h.Sessions.Put(ctx, identity.SessionOrgKey, m.OrgID)
			h.flash(ctx, "You are now working in "+m.OrgName+".")
			seeOther(w, r, "/")
			return
		}
	}
	h.fail(w, r, aims.Errorf(aims.CodeForbidden, "you are not a member of that organisation"))
}

// chooseOrg asks a signed-in person without a current organisation to pick one.
func (h *handler) chooseOrg(w http.ResponseWriter, r *http.Request) {
	ms, err := h.Identity.Memberships(r.Context(), h.Sessions.GetString(r.Context(), identity.SessionUserKey))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusForbidden, "Choose an organisation", "", func(v view) templ.Component { return chooseOrgView(v, ms) })
}

// inviteForm is the state of the form that accepts an invitation.
type inviteForm struct {
	Token string
	Inv   *identity.Invitation
	Name  string
	Errs  formErrors
}

// inviteFields maps the invitation request's fields to their controls.
var inviteFields = map[string]string{"name": "name", "password": "password"}

// invitePage shows an invitation and the form to accept it.
func (h *handler) invitePage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	inv, err := h.Identity.LookupInvitation(r.Context(), token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := inviteForm{Token: token, Inv: inv, Name: inv.Name}
	h.show(w, r, http.StatusOK, "Join "+inv.OrgName, "", func(v view) templ.Component { return inviteView(v, f) })
}

// inviteSubmit sets the invited person's name and password and signs them in.
func (h *handler) inviteSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	token := r.PathValue("token")
	inv, err := h.Identity.LookupInvitation(ctx, token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := inviteForm{Token: token, Inv: inv, Name: r.PostForm.Get("name")}
	user, err := h.Identity.AcceptInvitation(ctx, identity.AcceptInvitationRequest{
		Token: token, Name: f.Name, Password: r.PostForm.Get("password")})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.show(w, r, status, "Join "+inv.OrgName, "", func(v view) templ.Component { return inviteView(v, f) })
		return
	}
	if err := h.signIn(ctx, user.ID, inv.OrgID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(ctx, "Welcome to "+inv.OrgName+". You are signed in as "+user.Email+".")
	seeOther(w, r, "/")
}

// passwordHint says what a new password must be.
func passwordHint() string {
	return "At least " + strconv.Itoa(identity.MinPasswordLength) + " characters. A few unrelated words make a strong password."
}
