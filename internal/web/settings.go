package web

import (
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// settingsData is what the settings page shows.
type settingsData struct {
	Me     *identity.Membership
	Tokens []identity.Token
	Now    time.Time
	// PasswordErrs and TokenErrs are the problems of the two forms.
	PasswordErrs formErrors
	TokenErrs    formErrors
	TokenName    string
	TokenExpires string
	// NewSecret is the secret of a token just created, shown this once.
	NewSecret string
	NewToken  *identity.Token
}

// tokenLifetimes are the choices of a new token's lifetime.
var tokenLifetimes = []option{
	{Value: "30d", Label: "30 days"},
	{Value: "90d", Label: "90 days"},
	{Value: "365d", Label: "1 year"},
	{Value: "never", Label: "Never (not recommended)"},
}

// expiryOptions marks the chosen lifetime, 90 days unless another was chosen.
func expiryOptions(value string) []option {
	if value == "" {
		value = "90d"
	}
	out := make([]option, len(tokenLifetimes))
	for i, o := range tokenLifetimes {
		o.Selected = o.Value == value
		out[i] = o
	}
	return out
}

// passwordFields and tokenFields map the forms' fields to their controls.
var (
	passwordFields = map[string]string{"current_password": "current_password", "new_password": "new_password"}
	tokenFields    = map[string]string{"name": "token_name", "expires": "token_expires"}
)

// settingsPage shows the person's profile, password form and API tokens.
func (h *handler) settingsPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showSettings(w, r, a, http.StatusOK, settingsData{})
}

// showSettings fills the profile and tokens of the page and renders it.
func (h *handler) showSettings(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d settingsData) {
	ctx := r.Context()
	var err error
	if d.Me, err = h.Identity.Member(ctx, a, a.UserID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Tokens, err = h.Identity.ListTokens(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Now = time.Now()
	h.show(w, r, status, "Settings", "settings", func(v view) templ.Component { return settingsView(v, d) })
}

// changePassword replaces the person's password and renews their session.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	err := h.Identity.ChangePassword(ctx, a, r.PostForm.Get("current_password"), r.PostForm.Get("new_password"))
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showSettings(w, r, a, status, settingsData{PasswordErrs: fe})
		return
	}
	if err := h.Sessions.RenewToken(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(ctx, "Your password is changed.")
	seeOther(w, r, "/settings")
}

// createToken makes an API token and shows its secret once, in this
// response only: it is neither stored in the session nor shown again.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	d := settingsData{TokenName: r.PostForm.Get("name"), TokenExpires: r.PostForm.Get("expires")}
	secret, tok, err := h.Identity.CreateToken(r.Context(), a, identity.CreateTokenRequest{Name: d.TokenName, Expires: d.TokenExpires})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.TokenErrs = fe
		h.showSettings(w, r, a, status, d)
		return
	}
	h.showSettings(w, r, a, http.StatusOK, settingsData{NewSecret: secret, NewToken: tok})
}

// revokeToken ends one of the person's tokens.
func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	tok, err := h.Identity.RevokeToken(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "The token "+tok.Name+" is revoked: it no longer works.")
	seeOther(w, r, "/settings")
}
