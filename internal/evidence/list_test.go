package evidence_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

func list(t *testing.T, e *env, q evidence.ListQuery) *evidence.EvidencePage {
	t.Helper()
	p, err := e.svc.List(e.ctx, e.as[aims.RoleViewer], q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// validityOf lists each item's computed validity by reference.
func validityOf(items []evidence.Evidence) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		out[it.Ref] = it.Validity
	}
	return out
}

// TestValidityBoundaries moves the clock across the days on which
// evidence starts, enters the 30-day window and expires, and checks that
// the computed validity, the list filters, the dashboard's list and the
// Statement of Applicability's current evidence agree on every day.
func TestValidityBoundaries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		// Today is 2026-03-02.
		e.note(t, "Open", "", "", "control:A.2.2")                           // EV-1: always current
		e.note(t, "Ends today", "", day(0), "control:A.2.2")                 // EV-2
		e.note(t, "Ends in 30 days", "", day(30), "control:A.2.3")           // EV-3
		e.note(t, "Ends in 31 days", "2026-01-01", day(31), "control:A.2.3") // EV-4
		e.note(t, "Starts tomorrow", day(1), day(100), "control:A.2.4")      // EV-5
		e.note(t, "Ended yesterday", "2025-01-01", day(-1), "control:A.2.4") // EV-6
		e.note(t, "Archived, ends today", "", day(0), "control:A.2.2")       // EV-7
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "EV-7"); err != nil {
			t.Fatal(err)
		}
		type state struct {
			validity map[string]string
			current  map[string][]string // control → refs
			due      []string
			expired  int
			expiring int
		}
		days := []struct {
			name    string
			advance int
			want    state
		}{
			{"today", 0, state{
				validity: map[string]string{"EV-1": "current", "EV-2": "expiring", "EV-3": "expiring", "EV-4": "current",
					"EV-5": "not_yet_valid", "EV-6": "expired", "EV-7": "archived"},
				current: map[string][]string{"A.2.2": {"EV-1", "EV-2"}, "A.2.3": {"EV-3", "EV-4"}},
				due:     []string{"EV-6", "EV-2", "EV-3"}, expired: 1, expiring: 2}},
			{"tomorrow", 1, state{
				validity: map[string]string{"EV-1": "current", "EV-2": "expired", "EV-3": "expiring", "EV-4": "expiring",
					"EV-5": "current", "EV-6": "expired", "EV-7": "archived"},
				current: map[string][]string{"A.2.2": {"EV-1"}, "A.2.3": {"EV-3", "EV-4"}, "A.2.4": {"EV-5"}},
				due:     []string{"EV-6", "EV-2", "EV-3", "EV-4"}, expired: 2, expiring: 2}},
			{"in 31 days", 30, state{
				validity: map[string]string{"EV-1": "current", "EV-2": "expired", "EV-3": "expired", "EV-4": "expiring",
					"EV-5": "current", "EV-6": "expired", "EV-7": "archived"},
				current: map[string][]string{"A.2.2": {"EV-1"}, "A.2.3": {"EV-4"}, "A.2.4": {"EV-5"}},
				due:     []string{"EV-6", "EV-2", "EV-3", "EV-4"}, expired: 3, expiring: 1}},
			{"in 32 days", 1, state{
				validity: map[string]string{"EV-1": "current", "EV-2": "expired", "EV-3": "expired", "EV-4": "expired",
					"EV-5": "current", "EV-6": "expired", "EV-7": "archived"},
				current: map[string][]string{"A.2.2": {"EV-1"}, "A.2.4": {"EV-5"}},
				due:     []string{"EV-6", "EV-2", "EV-3", "EV-4"}, expired: 4, expiring: 0}},
		}
		for _, dd := range days {
			t.Run(dd.name, func(t *testing.T) {
				e.advanceDays(dd.advance)
				all := list(t, e, evidence.ListQuery{Status: "all", Sort: "ref"})
				if diff := cmp.Diff(dd.want.validity, validityOf(all.Items)); diff != "" {
					t.Errorf("validity (-want +got):\n%s", diff)
				}
				// Each validity filter selects exactly the items of that validity.
				for _, v := range []string{"current", "expiring", "expired", "not_yet_valid"} {
					var want []string
					for _, it := range all.Items {
						if it.Validity == v || (v == "current" && it.Validity == "expiring") {
							want = append(want, it.Ref)
						}
					}
					got := refsOf(list(t, e, evidence.ListQuery{Status: "all", Sort: "ref", Validity: v}).Items)
					if !cmp.Equal(got, want, cmpEmpty) {
						t.Errorf("validity=%s lists %q, want %q", v, got, want)
					}
				}
				current, err := e.svc.CurrentForControls(e.ctx, e.org)
				if err != nil {
					t.Fatal(err)
				}
				gotCurrent := map[string][]string{}
				for c, refs := range current {
					for _, r := range refs {
						gotCurrent[c] = append(gotCurrent[c], r.Ref)
					}
				}
				if diff := cmp.Diff(dd.want.current, gotCurrent); diff != "" {
					t.Errorf("current for controls (-want +got):\n%s", diff)
				}
				due, err := e.svc.Expiring(e.ctx, e.as[aims.RoleViewer])
				if err != nil {
					t.Fatal(err)
				}
				if got := refsOf(due.Items); !cmp.Equal(got, dd.want.due) || due.Expired != dd.want.expired || due.Expiring != dd.want.expiring {
					t.Errorf("due = %q, %d expired, %d expiring; want %q, %d, %d", got, due.Expired, due.Expiring,
						dd.want.due, dd.want.expired, dd.want.expiring)
				}
			})
		}
	})
}

// TestValidityFollowsUTC checks the day changes at midnight UTC.
func TestValidityFollowsUTC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.note(t, "Ends today", "", day(0), "control:A.2.2")
		e.clock.Advance(14*time.Hour + 59*time.Minute + 59*time.Second) // 23:59:59 UTC
		if got := e.get(t, "EV-1").Validity; got != "expiring" {
			t.Errorf("at 23:59:59 validity = %s", got)
		}
		e.clock.Advance(time.Second)
		if got := e.get(t, "EV-1").Validity; got != "expired" {
			t.Errorf("at midnight validity = %s", got)
		}
		if refs := current(t, e, "A.2.2"); len(refs) != 0 {
			t.Errorf("current after midnight = %q", refs)
		}
	})
}

func current(t *testing.T, e *env, control string) []string {
	t.Helper()
	m, err := e.svc.CurrentForControls(e.ctx, e.org)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range m[control] {
		out = append(out, r.Ref)
	}
	return out
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return cmp.Equal([]string(a), []string(b))
})

func TestListFiltersSortsAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if p := list(t, e, evidence.ListQuery{}); p.Total != 0 || p.Items == nil {
			t.Errorf("empty list = %+v", p)
		}
		s1, err := e.systems.Get(e.ctx, e.as[aims.RoleViewer], "SYS-1")
		if err != nil {
			t.Fatal(err)
		}
		add := func(req evidence.AddRequest) {
			e.clock.Advance(time.Minute)
			e.add(t, req)
		}
		add(fileReq("Bias report", "bias_2026.pdf", pdf, "control:A.6.2.4", "ai_system:SYS-1"))                                                  // EV-1
		add(evidence.AddRequest{Kind: "link", Title: "Change ticket", URL: "https://jira.example.org/AI-100%25", Links: []string{"clause:8.1"}}) // EV-2
		add(evidence.AddRequest{Kind: "note", Title: "audit walkthrough", Description: "Überprüfung der Modelle", Note: "Observed in March",
			ValidUntil: day(10), Links: []string{"control:A.6.2.4", "control:CTL-1"}}) // EV-3
		add(evidence.AddRequest{Kind: "note", Title: "Zeta retired", Note: "n", Links: []string{"ai_system:SYS-2"}}) // EV-4
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "EV-4"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.svc.Update(e.ctx, e.as[aims.RoleOwner], "EV-1", evidence.EvidenceUpdateRequest{Version: 1, Description: ptr("revised")}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			q    evidence.ListQuery
			want []string
		}{
			{"active, newest first by default", evidence.ListQuery{}, []string{"EV-3", "EV-2", "EV-1"}},
			{"archived", evidence.ListQuery{Status: "archived"}, []string{"EV-4"}},
			{"all", evidence.ListQuery{Status: "all"}, []string{"EV-4", "EV-3", "EV-2", "EV-1"}},
			{"kind", evidence.ListQuery{Kind: "note", Status: "all"}, []string{"EV-4", "EV-3"}},
			{"a word of the title", evidence.ListQuery{Q: "WALKTHROUGH"}, []string{"EV-3"}},
			{"the description", evidence.ListQuery{Q: "überprüfung"}, []string{"EV-3"}},
			{"the file name, underscore literal", evidence.ListQuery{Q: "s_2"}, []string{"EV-1"}},
			{"the URL, percent literal", evidence.ListQuery{Q: "100%"}, []string{"EV-2"}},
			{"the reference", evidence.ListQuery{Q: "ev-2"}, []string{"EV-2"}},
			{"every word must match", evidence.ListQuery{Q: "bias nothing"}, []string{}},
			{"the note is not searched", evidence.ListQuery{Q: "observed"}, []string{}},
			{"a control", evidence.ListQuery{Target: "control:a.6.2.4"}, []string{"EV-3", "EV-1"}},
			{"an own control", evidence.ListQuery{Target: "control:CTL-1"}, []string{"EV-3"}},
			{"a clause", evidence.ListQuery{Target: " clause:8.1 "}, []string{"EV-2"}},
			{"a system by reference", evidence.ListQuery{Target: "ai_system:sys-1"}, []string{"EV-1"}},
			{"a system by id", evidence.ListQuery{Target: "ai_system:" + s1.ID}, []string{"EV-1"}},
			{"an archived link", evidence.ListQuery{Target: "ai_system:SYS-2", Status: "all"}, []string{"EV-4"}},
			{"an unknown target", evidence.ListQuery{Target: "control:A.1.1"}, []string{}},
			{"expiring", evidence.ListQuery{Validity: "expiring"}, []string{"EV-3"}},
			{"filters combine", evidence.ListQuery{Target: "control:A.6.2.4", Kind: "file"}, []string{"EV-1"}},
			{"sort by title", evidence.ListQuery{Status: "all", Sort: "title"}, []string{"EV-3", "EV-1", "EV-2", "EV-4"}},
			{"sort by title, reversed", evidence.ListQuery{Status: "all", Sort: "-title"}, []string{"EV-4", "EV-2", "EV-1", "EV-3"}},
			{"sort by reference", evidence.ListQuery{Status: "all", Sort: "ref"}, []string{"EV-1", "EV-2", "EV-3", "EV-4"}},
			{"sort by last day, open last", evidence.ListQuery{Status: "all", Sort: "until"}, []string{"EV-3", "EV-1", "EV-2", "EV-4"}},
			{"sort by update", evidence.ListQuery{Status: "all", Sort: "-updated"}, []string{"EV-1", "EV-4", "EV-3", "EV-2"}},
			{"a page", evidence.ListQuery{Status: "all", Sort: "ref", Limit: 2, Offset: 1}, []string{"EV-2", "EV-3"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p := list(t, e, tc.q)
				if got := refsOf(p.Items); !cmp.Equal(got, tc.want) {
					t.Errorf("got %q, want %q", got, tc.want)
				}
				if tc.q.Limit == 0 && p.Total != len(tc.want) {
					t.Errorf("total %d, want %d", p.Total, len(tc.want))
				}
			})
		}
		if p := list(t, e, evidence.ListQuery{Status: "all", Sort: "ref", Limit: 2, Offset: 1}); p.Total != 4 || p.Limit != 2 || p.Offset != 1 {
			t.Errorf("page = %+v", p)
		}
		// Listed items are complete, links included.
		p := list(t, e, evidence.ListQuery{Q: "ev-1"})
		if diff := cmp.Diff([]evidence.Evidence{*e.get(t, "EV-1")}, p.Items); diff != "" {
			t.Errorf("listed (-want +got):\n%s", diff)
		}
		_, err = e.svc.List(e.ctx, e.as[aims.RoleViewer], evidence.ListQuery{Status: "gone", Kind: "photo", Target: "policy:1",
			Validity: "archived", Sort: "size", Limit: 500, Offset: -1})
		servicetest.WantFields(t, err, aims.CodeInvalid, "kind", "limit", "offset", "sort", "status", "target", "validity")
	})
}

func TestForTarget(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.note(t, "One", "", "", "control:A.6.2.4", "ai_system:SYS-1")
		e.note(t, "Two", "", "", "ai_system:SYS-1", "clause:9.2.1")
		e.note(t, "Three", "", "", "ai_system:SYS-1")
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "EV-3"); err != nil {
			t.Fatal(err)
		}
		viewer := e.as[aims.RoleViewer]
		for _, tc := range []struct {
			typ, id string
			want    []string
		}{
			{"ai_system", "sys-1", []string{"EV-1", "EV-2"}},
			{"control", "A.6.2.4", []string{"EV-1"}},
			{"clause", "9.2.1", []string{"EV-2"}},
			{"clause", "9.3.1", []string{}},
			{"ai_system", "SYS-2", []string{}},
		} {
			items, err := e.svc.ForTarget(e.ctx, viewer, tc.typ, tc.id)
			if err != nil || !cmp.Equal(refsOf(items), tc.want) {
				t.Errorf("ForTarget(%s, %s) = %q, %v; want %q", tc.typ, tc.id, refsOf(items), err, tc.want)
			}
		}
		_, err := e.svc.ForTarget(e.ctx, viewer, "ai_system", "SYS-9")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_, err = e.svc.ForTarget(e.ctx, viewer, "policy", "1")
		servicetest.WantFields(t, err, aims.CodeInvalid, "target")
	})
}
