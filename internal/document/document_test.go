package document_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestCreate records the AI policy with the defaults an AI policy gets and
// another document with every field, and refuses bad fields and a second
// AI policy in force.
func TestCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		n := e.actionCount(t)
		pol, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: "  AI policy ", Kind: "ai_policy", Text: "\r\n# AI policy\r\n\r\nWe use AI responsibly.  \r\n\r\n"})
		if err != nil {
			t.Fatal(err)
		}
		want := document.Document{ID: pol.ID, Ref: "DOC-1", Title: "AI policy", Kind: "ai_policy", OwnerID: c.UserID, OwnerName: "Acme contributor",
			OwnerEmail: "contributor@acme.example", ReviewMonths: 12, Clauses: []document.Item{{ID: "5.2", Title: "AI policy"}},
			Controls: []document.Item{{ID: "A.2.2", Title: "AI policy"}}, Distribution: []string{"everyone"}, Status: "active", Version: 1,
			CreatedAt: t0, UpdatedAt: t0}
		got := *pol
		got.Draft = nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("AI policy (-want +got):\n%s", diff)
		}
		if pol.Draft == nil || pol.Draft.Number != 1 || pol.Draft.Status != "draft" || pol.Draft.Revision != 1 || pol.Draft.AuthorName != "Acme contributor" {
			t.Errorf("draft %+v", pol.Draft)
		}
		v, err := e.svc.Version(e.ctx, e.viewer(), "doc-1", 1)
		if err != nil {
			t.Fatal(err)
		}
		if v.Text != "# AI policy\n\nWe use AI responsibly." {
			t.Errorf("text %q", v.Text)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.create", "document.draft"}) {
			t.Errorf("actions %v", got)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Object.Ref != "DOC-1 v1" || servicetest.ChangeMap(t, ev)["text_sha256"][1] != servicetest.JSONString(v.TextSHA256) {
			t.Errorf("draft event %+v", ev)
		}

		// A second AI policy is refused while one is in force.
		e.unchanged(t, func() {
			_, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: "Another AI policy", Kind: "ai_policy"})
			servicetest.WantFields(t, err, aims.CodeConflict, "kind")
		})

		// Every field.
		proc, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: "Impact assessment procedure", Kind: "procedure",
			OwnerID: "Manager@Acme.example", ReviewMonths: 24, Clauses: []string{"8.4", " 6.1.4", "8.4"}, Controls: []string{"a.5.2", "CTL-1"},
			Distribution: []string{"contributor", "Manager"}})
		if err != nil {
			t.Fatal(err)
		}
		if proc.Ref != "DOC-2" || proc.OwnerID != e.manager().UserID || proc.ReviewMonths != 24 ||
			!cmp.Equal(proc.Clauses, []document.Item{{ID: "8.4", Title: "AI system impact assessment"}, {ID: "6.1.4", Title: "AI system impact assessment"}}) ||
			!cmp.Equal(proc.Controls, []document.Item{{ID: "A.5.2", Title: "AI system impact assessment process"}, {ID: "CTL-1", Title: "Our own control"}}) ||
			!cmp.Equal(proc.Distribution, []string{"manager", "contributor"}) {
			t.Errorf("procedure %+v", proc)
		}
		all, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: "Every role", Kind: "other", Distribution: []string{"viewer", "auditor", "contributor", "manager", "owner"}})
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(all.Distribution, []string{"everyone"}) {
			t.Errorf("every role is %v", all.Distribution)
		}

		// Bad fields are all named.
		e.unchanged(t, func() {
			_, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: " ", Kind: "memo", ReviewMonths: 61, OwnerID: e.viewer().UserID,
				Clauses: []string{"5.2", "9.9"}, Controls: []string{"A.99"}, Distribution: []string{"everyone", "viewer"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "clauses[1]", "controls[0]", "distribution", "kind", "owner_id", "review_months", "title")
		})
		e.unchanged(t, func() {
			_, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: "x", Kind: "other", OwnerID: "nobody@acme.example",
				Distribution: []string{"boss"}, Text: "a\x00b"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "distribution", "distribution[0]", "owner_id", "text")
		})
		stranger := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		e.unchanged(t, func() {
			_, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: "x", Kind: "other", OwnerID: stranger.UserID})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id")
		})
	})
}

// TestUpdate changes a document's own fields with optimistic locking,
// moves the next review with the interval, and keeps one AI policy in force.
func TestUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		pol := e.policy(t, true)
		if pol.NextReviewOn != "2027-03-02" || pol.LastReviewedOn != "2026-03-02" || pol.ReviewState != "scheduled" {
			t.Fatalf("approved policy review %q %q %q", pol.LastReviewedOn, pol.NextReviewOn, pol.ReviewState)
		}
		n := e.actionCount(t)
		up, err := e.svc.Update(e.ctx, c, "DOC-1", document.UpdateRequest{Version: pol.Version, Title: ptr("Acme AI policy"), ReviewMonths: ptr(6),
			Controls: &[]string{"A.2.2", "A.2.3"}, Distribution: &[]string{"manager", "contributor"}})
		if err != nil {
			t.Fatal(err)
		}
		if up.Title != "Acme AI policy" || up.ReviewMonths != 6 || up.NextReviewOn != "2026-09-02" || up.Version != pol.Version+1 ||
			len(up.Controls) != 2 || up.Controls[1].ID != "A.2.3" {
			t.Errorf("updated %+v", up)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.update"}) {
			t.Errorf("actions %v", got)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, e.d, e.org))
		if diff := cmp.Diff(map[string][2]string{
			"title":          {`"AI policy"`, `"Acme AI policy"`},
			"review_months":  {"12", "6"},
			"next_review_on": {`"2027-03-02"`, `"2026-09-02"`},
			"controls":       {`["A.2.2"]`, `["A.2.2","A.2.3"]`},
			"distribution":   {`["everyone"]`, `["manager","contributor"]`},
		}, ch); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		// Nothing changed: no new version, no event.
		same, err := e.svc.Update(e.ctx, c, "DOC-1", document.UpdateRequest{Version: up.Version, Title: ptr(" Acme AI policy ")})
		if err != nil || same.Version != up.Version || e.actionCount(t) != n+1 {
			t.Errorf("an empty change made version %d, %v", same.Version, err)
		}
		e.unchanged(t, func() {
			_, err := e.svc.Update(e.ctx, c, "DOC-1", document.UpdateRequest{Version: pol.Version, Title: ptr("Stale")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		e.unchanged(t, func() {
			_, err := e.svc.Update(e.ctx, c, "DOC-1", document.UpdateRequest{Version: up.Version, OwnerID: ptr(e.auditor().UserID), ReviewMonths: ptr(0)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id", "review_months")
		})

		// Only one AI policy: another document cannot become one.
		other := e.create(t, document.CreateRequest{Title: "Old AI policy", Kind: "policy"})
		e.unchanged(t, func() {
			_, err := e.svc.Update(e.ctx, c, other.Ref, document.UpdateRequest{Version: other.Version, Kind: ptr("ai_policy")})
			servicetest.WantFields(t, err, aims.CodeConflict, "kind")
		})

		// An owner who later becomes a viewer stays owner through other changes.
		if _, err := e.ids.ChangeRole(e.ctx, e.owner(), c.UserID, identityRole(aims.RoleViewer)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Update(e.ctx, e.manager(), other.Ref, document.UpdateRequest{Version: other.Version, Title: ptr("Older AI policy")}); err != nil {
			t.Errorf("a kept owner blocked a change: %v", err)
		}
	})
}

// TestList filters, searches and pages the documents, the AI policy first.
func TestList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, document.CreateRequest{Title: "Data protection policy", Kind: "policy", Controls: []string{"A.2.3"}})
		e.policy(t, true)
		e.create(t, document.CreateRequest{Title: "Incident procedure", Kind: "procedure", OwnerID: e.manager().UserID, ReviewMonths: 1, Text: "1. Report it."})
		e.approve(t, "DOC-3")
		if _, err := e.svc.Archive(e.ctx, e.manager(), "DOC-1", document.ArchiveRequest{Reason: "Merged into DOC-2"}); err != nil {
			t.Fatal(err)
		}
		list := func(q document.Query) string {
			t.Helper()
			p, err := e.svc.List(e.ctx, e.viewer(), q)
			if err != nil {
				t.Fatal(err)
			}
			return refsOf(p.Items)
		}
		for _, c := range []struct {
			q    document.Query
			want string
		}{
			{document.Query{}, "DOC-2 DOC-3"},
			{document.Query{Status: "all"}, "DOC-2 DOC-1 DOC-3"},
			{document.Query{Status: "archived"}, "DOC-1"},
			{document.Query{Kind: "procedure"}, "DOC-3"},
			{document.Query{Q: "POLICY"}, "DOC-2"},
			{document.Query{Q: "a.2.3", Status: "all"}, "DOC-1"},
			{document.Query{Addresses: "a.2.2"}, "DOC-2"},
			{document.Query{Addresses: "5.2"}, "DOC-2"},
			{document.Query{Owner: "manager@acme.example"}, "DOC-3"},
			{document.Query{Review: "due"}, ""},
			{document.Query{Draft: true}, ""},
			{document.Query{Limit: 1, Offset: 1}, "DOC-3"},
		} {
			if got := list(c.q); got != c.want {
				t.Errorf("%+v lists %q, want %q", c.q, got, c.want)
			}
		}
		// DOC-3 falls due on 2 April 2026: within 30 days from 3 March, overdue from 3 April.
		day := 24 * time.Hour
		e.clock.Advance(day)
		if got, over := list(document.Query{Review: "due"}), list(document.Query{Review: "overdue"}); got != "DOC-3" || over != "" {
			t.Errorf("on 3 March due lists %q, overdue %q", got, over)
		}
		e.clock.Advance(31 * day)
		if got, over := list(document.Query{Review: "due"}), list(document.Query{Review: "overdue"}); got != "DOC-3" || over != "DOC-3" {
			t.Errorf("on 3 April due lists %q, overdue %q", got, over)
		}
		if d := e.get(t, e.viewer(), "DOC-3"); d.ReviewState != "overdue" {
			t.Errorf("review state %q", d.ReviewState)
		}
		_, err := e.svc.List(e.ctx, e.viewer(), document.Query{Status: "gone", Kind: "memo", Review: "soon", Limit: 500})
		servicetest.WantFields(t, err, aims.CodeInvalid, "kind", "limit", "review", "status")

		// Another organisation sees none of them.
		g := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		p, err := e.svc.List(e.ctx, g, document.Query{Status: "all"})
		if err != nil || p.Total != 0 {
			t.Errorf("Globex lists %d, %v", p.Total, err)
		}
		_, err = e.svc.Get(e.ctx, g, "DOC-2")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_, err = e.svc.Version(e.ctx, g, "DOC-2", 1)
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}
