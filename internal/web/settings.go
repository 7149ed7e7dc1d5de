package web

import (
	"context"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
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
	// CanSystemTokens says whether the person may make tokens for an AI
	// system's decisions; Systems are the active systems to choose from.
	CanSystemTokens bool
	Systems         []aisystem.System
	// TokenSystems are the systems that listed tokens are scoped to, by id.
	TokenSystems map[string]aisystem.System
	// The system token form's problems and what was typed in it.
	SystemTokenErrs    formErrors
	SystemTokenSystem  string
	SystemTokenName    string
	SystemTokenExpires string
}

// systemOptions are the active systems to choose for a system token, with
// an empty first choice.
func (d settingsData) systemOptions() []option {
	out := []option{{Value: "", Label: "Choose…", Selected: d.SystemTokenSystem == ""}}
	for _, s := range d.Systems {
		out = append(out, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: s.Ref == d.SystemTokenSystem})
	}
	return out
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
	sysTokenFields = map[string]string{"system": "system_token_system", "name": "system_token_name", "expires": "system_token_expires"}
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
	if err := h.tokenSystems(ctx, a, &d); err != nil {
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

// tokenSystems finds the active systems a token may be made for, when the
// person may make one, and names the systems of the listed tokens.
func (h *handler) tokenSystems(ctx context.Context, a *aims.Actor, d *settingsData) error {
	d.CanSystemTokens = identity.Can(a, identity.ActDecisionToken)
	scoped := false
	for _, t := range d.Tokens {
		scoped = scoped || t.SystemID != ""
	}
	if !d.CanSystemTokens && !scoped {
		return nil
	}
	var err error
	if d.Systems, err = h.dsActiveSystems(ctx, a); err != nil {
		return err
	}
	d.TokenSystems = map[string]aisystem.System{}
	for _, s := range d.Systems {
		d.TokenSystems[s.ID] = s
	}
	for _, t := range d.Tokens {
		if _, ok := d.TokenSystems[t.SystemID]; t.SystemID == "" || ok {
			continue
		}
		s, err := h.Systems.Get(ctx, a, t.SystemID) // an archived system
		if err != nil {
			return err
		}
		d.TokenSystems[s.ID] = *s
	}
	return nil
}

// createToken makes an API token, or with kind=system a token that may only
// write one AI system's decisions, and shows its secret once, in this
// response only: it is neither stored in the session nor shown again.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	if r.PostForm.Get("kind") == "system" {
		h.createSystemToken(w, r, a)
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

// createSystemToken makes a token for the chosen AI system's decisions.
func (h *handler) createSystemToken(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	d := settingsData{SystemTokenSystem: r.PostForm.Get("system"), SystemTokenName: r.PostForm.Get("name"),
		SystemTokenExpires: r.PostForm.Get("expires")}
	var id, ref string
	if d.SystemTokenSystem != "" {
		sys, err := h.Systems.Get(ctx, a, d.SystemTokenSystem)
		switch {
		case err == nil:
			id, ref = sys.ID, sys.Ref
		case aims.CodeOf(err) != aims.CodeNotFound:
			h.fail(w, r, err)
			return
		}
	}
	req := identity.CreateTokenRequest{Name: d.SystemTokenName, Expires: d.SystemTokenExpires}
	secret, tok, err := h.Identity.CreateSystemToken(ctx, a, id, ref, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.SystemTokenErrs = fe
		h.showSettings(w, r, a, status, d)
		return
	}
	h.showSettings(w, r, a, http.StatusOK, settingsData{NewSecret: secret, NewToken: tok})
}

// tokenSystem names the system a token is scoped to, such as "SYS-1 Credit scoring".
func (d settingsData) tokenSystem(id string) string {
	s := d.TokenSystems[id]
	return s.Ref + " " + s.Name
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
