package orgcontext_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestDraft saves the draft, refusing bad content, stale versions and
// systems that are not the organisation's, and records what changed.
func TestDraft(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		sys := e.system(t, "Credit scoring")

		dr, err := e.svc.Draft(e.ctx, e.viewer())
		if err != nil || dr.Version != 0 || dr.InForce != 0 || !dr.Changed || len(dr.Missing) != 2 || dr.UpdatedAt != nil {
			t.Fatalf("empty draft %+v, %v", dr, err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SaveDraft(e.ctx, c, orgcontext.DraftRequest{Content: orgcontext.Content{
				InternalIssues: []orgcontext.Issue{{Issue: "", Effect: ""}, {Issue: "Skills", Effect: ""}},
				ExternalIssues: []orgcontext.Issue{{Issue: "Law", Effect: "x"}, {Issue: " law ", Effect: "y"}},
				Parties:        []orgcontext.Party{{Needs: "Something"}},
				Scope: orgcontext.Scope{Systems: []orgcontext.SystemLink{{Ref: "SYS-9"}},
					Exclusions: []orgcontext.Exclusion{{What: "HR tools"}}},
				Climate: orgcontext.Climate{Decision: orgcontext.ClimateRelevant},
			}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "climate.justification", "external_issues[1].issue",
				"interested_parties[0].name", "internal_issues[0].effect", "scope.exclusions[0].justification", "scope.systems")
			_, err = e.svc.SaveDraft(e.ctx, c, orgcontext.DraftRequest{Content: orgcontext.Content{Climate: orgcontext.Climate{Decision: "maybe"}}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "climate.decision")
		})
		content := complete()
		content.Scope.Systems = []orgcontext.SystemLink{{Ref: "sys-1"}, {ID: sys.ID}}
		content.InternalIssues = append(content.InternalIssues, orgcontext.Issue{}) // an empty row is dropped
		dr, err = e.svc.SaveDraft(e.ctx, c, orgcontext.DraftRequest{Version: 0, Content: content})
		if err != nil {
			t.Fatal(err)
		}
		if dr.Version != 1 || len(dr.InternalIssues) != 1 || len(dr.Missing) != 0 || dr.UpdatedBy != "contributor@acme.example" ||
			!cmp.Equal(dr.Scope.Systems, []orgcontext.SystemLink{{ID: sys.ID, Ref: "SYS-1", Name: "Credit scoring"}}) {
			t.Errorf("saved %+v", dr)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != orgcontext.ActionEdit || ev.Object.Type != orgcontext.ObjectDraft || ev.Actor.Label != "contributor@acme.example" {
			t.Errorf("event %+v", ev)
		}
		ch := servicetest.ChangeMap(t, ev)
		if ch["scope.systems"][1] != `["SYS-1"]` || ch["climate.decision"] != [2]string{`"undecided"`, `"not_relevant"`} ||
			ch["scope.statement"][1] != `"All AI systems of the lending business"` {
			t.Errorf("changes %v", ch)
		}
		// Saving the same content again changes nothing and records nothing.
		servicetest.Unchanged(t, d, func() {
			again, err := e.svc.SaveDraft(e.ctx, c, orgcontext.DraftRequest{Version: 1, Content: content})
			if err != nil || again.Version != 1 {
				t.Errorf("no-op save = %+v, %v", again, err)
			}
			_, err = e.svc.SaveDraft(e.ctx, c, orgcontext.DraftRequest{Version: 0, Content: complete()})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		content.Parties = content.Parties[:1]
		dr, err = e.svc.SaveDraft(e.ctx, c, orgcontext.DraftRequest{Version: 1, Content: content})
		if err != nil || dr.Version != 2 || len(dr.Parties) != 1 {
			t.Fatalf("second save %+v, %v", dr, err)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); len(got) != 1 || got["interested_parties"][0] == "" {
			t.Errorf("second save changes %v", got)
		}
	})
}
