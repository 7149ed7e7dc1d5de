package web

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// membersData is what the members page shows.
type membersData struct {
	Members []identity.Membership
	// Email, Name, Role and Errs are the state of the add form.
	Email string
	Name  string
	Role  string
	Errs  formErrors
	// Added and InviteLink describe a person just invited; the link is shown this once.
	Added      *identity.Membership
	InviteLink string
	// ActionUser and ActionErrs say which member's role change or removal failed, and why.
	ActionUser string
	ActionErrs formErrors
}

// addMemberFields maps the add request's fields to the add form's controls.
var addMemberFields = map[string]string{"email": "member_email", "name": "member_name", "role": "member_role"}

// roleOptions lists the roles for a select, marking the current one.
func roleOptions(current string) []option {
	out := make([]option, 0, len(aims.Roles))
	for _, r := range aims.Roles {
		out = append(out, option{Value: string(r), Label: roleLabel(r), Selected: string(r) == current})
	}
	return out
}

// membersPage lists the organisation's members; owners also manage them here.
func (h *handler) membersPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showMembers(w, r, a, http.StatusOK, membersData{Role: string(aims.RoleViewer)})
}

// showMembers fills the member list and renders the page.
func (h *handler) showMembers(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d membersData) {
	var err error
	if d.Members, err = h.Identity.ListMembers(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Members", "members", func(v view) templ.Component { return membersView(v, d) })
}

// addMember gives a person a role; a person new to aims gets an invitation
// link, shown once in this response.
func (h *handler) addMember(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	d := membersData{Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"), Role: r.PostForm.Get("role")}
	m, invitation, err := h.Identity.AddMember(r.Context(), a, identity.AddMemberRequest{
		Email: d.Email, Name: d.Name, Role: aims.Role(d.Role)})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs = fe
		h.showMembers(w, r, a, status, d)
		return
	}
	if invitation == "" {
		h.flash(r.Context(), m.Name+" ("+m.Email+") is now a member, as "+roleLabel(m.Role)+".")
		seeOther(w, r, "/members")
		return
	}
	h.showMembers(w, r, a, http.StatusOK, membersData{Role: string(aims.RoleViewer), Added: m,
		InviteLink: h.baseURL(r) + "/invite/" + invitation})
}

// baseURL is the address people reach aims at: the configured public URL,
// or else the one this request came to.
func (h *handler) baseURL(r *http.Request) string {
	if h.PublicURL != "" {
		return strings.TrimSuffix(h.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if h.TrustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
	}
	return scheme + "://" + r.Host
}

// changeRole gives a member another role.
func (h *handler) changeRole(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	uid := r.PathValue("user_id")
	m, err := h.Identity.ChangeRole(r.Context(), a, uid, identity.ChangeRoleRequest{Role: aims.Role(r.PostForm.Get("role"))})
	if err != nil {
		h.memberActionFailed(w, r, a, uid, err)
		return
	}
	h.flash(r.Context(), m.Name+" is now "+roleLabel(m.Role)+".")
	seeOther(w, r, "/members")
}

// removeMember ends a person's membership.
func (h *handler) removeMember(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	uid := r.PathValue("user_id")
	if err := h.Identity.RemoveMember(r.Context(), a, uid); err != nil {
		h.memberActionFailed(w, r, a, uid, err)
		return
	}
	h.flash(r.Context(), "The member is removed: their sessions and tokens no longer reach this organisation.")
	seeOther(w, r, "/members")
}

// memberActionFailed shows why a role change or removal was refused, beside the member.
func (h *handler) memberActionFailed(w http.ResponseWriter, r *http.Request, a *aims.Actor, uid string, err error) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	h.showMembers(w, r, a, status, membersData{Role: string(aims.RoleViewer), ActionUser: uid, ActionErrs: fe})
}

// actionText says why a member's role change or removal was refused.
func (d membersData) actionText() string {
	var parts []string
	for _, f := range d.ActionErrs.Fields {
		parts = append(parts, "This "+f.Message+".")
	}
	if len(parts) == 0 {
		return d.ActionErrs.Message
	}
	return strings.Join(parts, " ")
}
