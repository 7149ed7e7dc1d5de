package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

func TestMembers(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		bob := e.addUser("Other Org", "bob@example.org", "Bob Builder", aims.RoleOwner)
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/members")
		want(t, r, http.StatusOK, "Olivia Owner", "(you)", `action="/members"`, "Add a member")
		wantCSPSafe(t, r)

		// Invalid and duplicate additions keep the form.
		r = c.post("/members", url.Values{"email": {"nobody"}, "name": {"No One"}, "role": {"manager"}})
		want(t, r, http.StatusUnprocessableEntity, `id="member_email-error"`, `value="nobody"`, `value="No One"`, `<option value="manager" selected>`)
		r = c.post("/members", url.Values{"email": {"olivia@example.org"}, "role": {"viewer"}})
		want(t, r, http.StatusConflict, "Email is already a member of this organisation")

		// A person who already uses aims joins at once, without an invitation.
		wantRedirect(t, c.post("/members", url.Values{"email": {"bob@example.org"}, "role": {"manager"}}), "/members")
		r = c.get("/members")
		want(t, r, http.StatusOK, "Bob Builder (bob@example.org) is now a member, as Manager", "Bob Builder")
		wantNot(t, r, "/invite/")

		// Owners change roles; the last owner cannot be demoted.
		wantRedirect(t, c.post("/members/"+bob.User.ID+"/role", url.Values{"role": {"auditor"}}), "/members")
		want(t, c.get("/members"), http.StatusOK, "Bob Builder is now Auditor")
		r = c.post("/members/"+e.ownerID+"/role", url.Values{"role": {"viewer"}})
		want(t, r, http.StatusConflict, "The change was not made", "would leave the organisation without an active owner",
			`aria-describedby="role-`+e.ownerID+`-error"`)
		want(t, c.post("/members/"+bob.User.ID+"/role", url.Values{"role": {"emperor"}}), http.StatusUnprocessableEntity)
		want(t, c.post("/members/"+aims.NewID()+"/role", url.Values{"role": {"viewer"}}), http.StatusNotFound)

		// Removing a member ends their access here.
		bobc := e.client()
		bobc.login("bob@example.org")
		wantRedirect(t, c.post("/members/"+bob.User.ID+"/remove", nil), "/members")
		r = c.get("/members")
		want(t, r, http.StatusOK, "The member is removed")
		wantNot(t, r, "Bob Builder")
		want(t, c.post("/members/"+e.ownerID+"/remove", nil), http.StatusConflict, "without an active owner")
		// Bob signed in to Other Org first, so his session is unaffected there.
		want(t, bobc.get("/"), http.StatusOK, "Other Org")
	})
}
