package aisystem_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

func list(t *testing.T, e *env, q aisystem.ListQuery) *aisystem.Page {
	t.Helper()
	p, err := e.svc.List(e.ctx, e.as[aims.RoleViewer], q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func refs(p *aisystem.Page) []string {
	out := []string{}
	for _, s := range p.Items {
		out = append(out, s.Ref)
	}
	return out
}

// inventory fills Acme with six systems whose names, stages, classes, roles,
// owners and times each sort differently from their references. SYS-4 is
// archived.
func inventory(t *testing.T, e *env) {
	t.Helper()
	manager, contributor := e.as[aims.RoleManager].UserID, e.as[aims.RoleContributor].UserID
	for _, r := range []aisystem.CreateRequest{
		{Name: "Delta", IntendedPurpose: "Credit risk Überprüfung for loans", LifecycleStage: "deployment", EUAIActClass: "high",
			AIRoles: []string{"provider"}, OwnerID: manager},
		{Name: "alpha", IntendedPurpose: "Chat answers with 100% accuracy", LifecycleStage: "inception", EUAIActClass: "limited",
			AIRoles: []string{"customer"}},
		{Name: "Echo", IntendedPurpose: "Scores credit_score values", LifecycleStage: "operation_and_monitoring", EUAIActClass: "minimal",
			AIRoles: []string{"provider", "customer"}, OwnerID: contributor},
		{Name: "Bravo", IntendedPurpose: "Scores creditXscore and 100 percent", LifecycleStage: "retirement", EUAIActClass: "prohibited",
			AIRoles: []string{"subject"}, OwnerID: manager},
		{Name: "Charlie", IntendedPurpose: "Design helper", DeploymentContext: "Used by the HR team",
			LifecycleStage: "design_and_development", EUAIActClass: "not_classified"},
		{Name: "Foxtrot", IntendedPurpose: "Loan pricing", LifecycleStage: "deployment", EUAIActClass: "high",
			AIRoles: []string{"relevant_authority", "partner"}},
	} {
		e.clock.Advance(time.Minute)
		e.create(t, r)
	}
	owner := e.as[aims.RoleOwner]
	for i, ref := range []string{"SYS-3", "SYS-1", "SYS-5"} {
		e.clock.Advance(time.Hour)
		if _, err := e.svc.Update(e.ctx, owner, ref, aisystem.UpdateRequest{Version: 1, Description: ptr("revision " + string(rune('a'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.Archive(e.ctx, owner, "SYS-4"); err != nil {
		t.Fatal(err)
	}
}

func TestListFiltersAndSearches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if p := list(t, e, aisystem.ListQuery{}); p.Total != 0 || p.Items == nil || len(p.Items) != 0 {
			t.Errorf("empty inventory = %+v", p)
		}
		inventory(t, e)
		manager, contributor := e.as[aims.RoleManager].UserID, e.as[aims.RoleContributor].UserID
		tests := []struct {
			name string
			q    aisystem.ListQuery
			want []string // in name order
		}{
			{"active by default", aisystem.ListQuery{}, []string{"SYS-2", "SYS-5", "SYS-1", "SYS-3", "SYS-6"}},
			{"archived", aisystem.ListQuery{Status: "archived"}, []string{"SYS-4"}},
			{"all", aisystem.ListQuery{Status: "all"}, []string{"SYS-2", "SYS-4", "SYS-5", "SYS-1", "SYS-3", "SYS-6"}},
			{"stage", aisystem.ListQuery{LifecycleStage: "deployment"}, []string{"SYS-1", "SYS-6"}},
			{"stage of an archived system", aisystem.ListQuery{LifecycleStage: "retirement"}, []string{}},
			{"class", aisystem.ListQuery{EUAIActClass: "high"}, []string{"SYS-1", "SYS-6"}},
			{"class not classified", aisystem.ListQuery{EUAIActClass: "not_classified"}, []string{"SYS-5"}},
			{"role provider", aisystem.ListQuery{AIRole: "provider"}, []string{"SYS-1", "SYS-3"}},
			{"role customer", aisystem.ListQuery{AIRole: "customer"}, []string{"SYS-2", "SYS-3"}},
			{"role partner", aisystem.ListQuery{AIRole: "partner"}, []string{"SYS-6"}},
			{"role subject, all", aisystem.ListQuery{AIRole: "subject", Status: "all"}, []string{"SYS-4"}},
			{"owner", aisystem.ListQuery{OwnerID: manager}, []string{"SYS-1"}},
			{"owner, all", aisystem.ListQuery{OwnerID: manager, Status: "all"}, []string{"SYS-4", "SYS-1"}},
			{"owner contributor", aisystem.ListQuery{OwnerID: contributor}, []string{"SYS-3"}},
			{"owner unknown", aisystem.ListQuery{OwnerID: aims.NewID()}, []string{}},
			{"filters combine", aisystem.ListQuery{LifecycleStage: "deployment", AIRole: "relevant_authority"}, []string{"SYS-6"}},
			{"a word", aisystem.ListQuery{Q: "credit", Status: "all"}, []string{"SYS-4", "SYS-1", "SYS-3"}},
			{"a word, active", aisystem.ListQuery{Q: "credit"}, []string{"SYS-1", "SYS-3"}},
			{"any case", aisystem.ListQuery{Q: "CREDIT"}, []string{"SYS-1", "SYS-3"}},
			{"every word must match", aisystem.ListQuery{Q: "  credit   LOANS "}, []string{"SYS-1"}},
			{"one word missing", aisystem.ListQuery{Q: "credit nothing"}, []string{}},
			{"non-ASCII", aisystem.ListQuery{Q: "Überprüfung"}, []string{"SYS-1"}},
			{"non-ASCII lower case", aisystem.ListQuery{Q: "überprüfung"}, []string{"SYS-1"}},
			{"non-ASCII upper case", aisystem.ListQuery{Q: "ÜBERPRÜFUNG"}, []string{"SYS-1"}},
			{"non-ASCII part", aisystem.ListQuery{Q: "prüf"}, []string{"SYS-1"}},
			{"percent is literal", aisystem.ListQuery{Q: "100%", Status: "all"}, []string{"SYS-2"}},
			{"only a percent", aisystem.ListQuery{Q: "%", Status: "all"}, []string{"SYS-2"}},
			{"underscore is literal", aisystem.ListQuery{Q: "t_s", Status: "all"}, []string{"SYS-3"}},
			{"only an underscore", aisystem.ListQuery{Q: "_", Status: "all"}, []string{"SYS-3"}},
			{"a word with an underscore", aisystem.ListQuery{Q: "credit_score", Status: "all"}, []string{"SYS-3"}},
			{"a backslash", aisystem.ListQuery{Q: `\`, Status: "all"}, []string{}},
			{"a quote", aisystem.ListQuery{Q: `'`, Status: "all"}, []string{}},
			{"the reference", aisystem.ListQuery{Q: "sys-3"}, []string{"SYS-3"}},
			{"the deployment context", aisystem.ListQuery{Q: "hr team"}, []string{"SYS-5"}},
			{"the description", aisystem.ListQuery{Q: "revision"}, []string{"SYS-5", "SYS-1", "SYS-3"}},
			{"search and filter", aisystem.ListQuery{Q: "scores", AIRole: "customer", Status: "all"}, []string{"SYS-3"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p := list(t, e, tc.q)
				if got := refs(p); !cmp.Equal(got, tc.want) || p.Total != len(tc.want) {
					t.Errorf("got %q (total %d), want %q", got, p.Total, tc.want)
				}
			})
		}
		// The listed systems are complete.
		p := list(t, e, aisystem.ListQuery{Q: "sys-1"})
		if diff := cmp.Diff([]aisystem.System{*e.get(t, "SYS-1")}, p.Items); diff != "" {
			t.Errorf("listed system (-want +got):\n%s", diff)
		}
	})
}

func TestListSorts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		inventory(t, e)
		tests := []struct {
			sort string
			want []string
		}{
			{"", []string{"SYS-2", "SYS-4", "SYS-5", "SYS-1", "SYS-3", "SYS-6"}},
			{"name", []string{"SYS-2", "SYS-4", "SYS-5", "SYS-1", "SYS-3", "SYS-6"}},
			{"ref", []string{"SYS-1", "SYS-2", "SYS-3", "SYS-4", "SYS-5", "SYS-6"}},
			{"updated", []string{"SYS-2", "SYS-6", "SYS-3", "SYS-1", "SYS-5", "SYS-4"}},
			// Stages sort in the order of the life cycle, classes in the order
			// of the regulation's list; ties follow the references.
			{"stage", []string{"SYS-2", "SYS-5", "SYS-1", "SYS-6", "SYS-3", "SYS-4"}},
			{"class", []string{"SYS-5", "SYS-4", "SYS-1", "SYS-6", "SYS-2", "SYS-3"}},
		}
		for _, tc := range tests {
			p := list(t, e, aisystem.ListQuery{Status: "all", Sort: tc.sort})
			if got := refs(p); !cmp.Equal(got, tc.want) {
				t.Errorf("sort %q: got %q, want %q", tc.sort, got, tc.want)
			}
			if tc.sort == "" {
				continue
			}
			p = list(t, e, aisystem.ListQuery{Status: "all", Sort: "-" + tc.sort})
			if got := refs(p); !cmp.Equal(got, reversed(tc.want)) {
				t.Errorf("sort %q: got %q, want %q", "-"+tc.sort, got, reversed(tc.want))
			}
		}
	})
}

func TestListPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		inventory(t, e)
		tests := []struct {
			limit, offset int
			want          []string
		}{
			{4, 0, []string{"SYS-1", "SYS-2", "SYS-3", "SYS-4"}},
			{4, 4, []string{"SYS-5", "SYS-6"}},
			{4, 6, []string{}},
			{4, 100, []string{}},
			{1, 2, []string{"SYS-3"}},
			{200, 0, []string{"SYS-1", "SYS-2", "SYS-3", "SYS-4", "SYS-5", "SYS-6"}},
			{0, 5, []string{"SYS-6"}}, // 0 means the default, 50
		}
		for _, tc := range tests {
			p := list(t, e, aisystem.ListQuery{Status: "all", Sort: "ref", Limit: tc.limit, Offset: tc.offset})
			wantLimit := tc.limit
			if wantLimit == 0 {
				wantLimit = 50
			}
			if got := refs(p); !cmp.Equal(got, tc.want) || p.Total != 6 || p.Limit != wantLimit || p.Offset != tc.offset {
				t.Errorf("limit %d offset %d: got %q, total %d, limit %d, offset %d; want %q, 6",
					tc.limit, tc.offset, got, p.Total, p.Limit, p.Offset, tc.want)
			}
		}
		// The total counts every match, not the page.
		p := list(t, e, aisystem.ListQuery{Q: "credit", Limit: 1, Sort: "-name"})
		if !cmp.Equal(refs(p), []string{"SYS-3"}) || p.Total != 2 {
			t.Errorf("got %q of %d, want SYS-3 of 2", refs(p), p.Total)
		}
	})
}

func TestListQueryNormalise(t *testing.T) {
	var q aisystem.ListQuery
	if err := q.Normalise(); err != nil {
		t.Fatal(err)
	}
	if want := (aisystem.ListQuery{Status: "active", Sort: "name", Limit: 50}); q != want {
		t.Errorf("defaults = %+v, want %+v", q, want)
	}
	tests := []struct {
		q     aisystem.ListQuery
		field string
	}{
		{aisystem.ListQuery{Status: "deleted"}, "status"},
		{aisystem.ListQuery{Status: "Active"}, "status"},
		{aisystem.ListQuery{LifecycleStage: "launch"}, "lifecycle_stage"},
		{aisystem.ListQuery{EUAIActClass: "High"}, "eu_ai_act_class"},
		{aisystem.ListQuery{AIRole: "owner"}, "ai_role"},
		{aisystem.ListQuery{Sort: "owner"}, "sort"},
		{aisystem.ListQuery{Sort: "--name"}, "sort"},
		{aisystem.ListQuery{Sort: "+name"}, "sort"},
		{aisystem.ListQuery{Limit: 201}, "limit"},
		{aisystem.ListQuery{Limit: -1}, "limit"},
		{aisystem.ListQuery{Offset: -1}, "offset"},
	}
	for _, tc := range tests {
		q := tc.q
		servicetest.WantFields(t, q.Normalise(), aims.CodeInvalid, tc.field)
	}
	q = aisystem.ListQuery{Status: "x", LifecycleStage: "x", EUAIActClass: "x", AIRole: "x", Sort: "x", Limit: 1000, Offset: -5}
	servicetest.WantFields(t, q.Normalise(), aims.CodeInvalid, "ai_role", "eu_ai_act_class", "lifecycle_stage", "limit", "offset", "sort", "status")

	for _, s := range []string{"name", "-name", "ref", "-ref", "updated", "-updated", "stage", "-stage", "class", "-class"} {
		q := aisystem.ListQuery{Sort: s, Limit: 200, Status: "all"}
		if err := q.Normalise(); err != nil {
			t.Errorf("sort %q: %v", s, err)
		}
	}
}

func TestListRefusesABadQuery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, err := e.svc.List(e.ctx, e.as[aims.RoleViewer], aisystem.ListQuery{Sort: "size", Offset: -1})
		servicetest.WantFields(t, err, aims.CodeInvalid, "offset", "sort")
		_, err = e.svc.List(e.ctx, nil, aisystem.ListQuery{})
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}

func TestCount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, aisystem.CreateRequest{Name: "A", IntendedPurpose: "P", LifecycleStage: "deployment", EUAIActClass: "high"})
		e.create(t, aisystem.CreateRequest{Name: "B", IntendedPurpose: "P", LifecycleStage: "deployment"})
		e.create(t, aisystem.CreateRequest{Name: "C", IntendedPurpose: "P", EUAIActClass: "high"})
		archived := e.create(t, aisystem.CreateRequest{Name: "D", IntendedPurpose: "P", EUAIActClass: "high"})
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], archived.Ref); err != nil {
			t.Fatal(err)
		}
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		if _, err := e.svc.Create(e.ctx, outsider, aisystem.CreateRequest{Name: "E", IntendedPurpose: "P", EUAIActClass: "high"}); err != nil {
			t.Fatal(err)
		}
		c, err := e.svc.Count(e.ctx, e.as[aims.RoleViewer])
		if err != nil {
			t.Fatal(err)
		}
		want := &aisystem.Counts{Active: 3, ByStage: map[string]int{"deployment": 2, "inception": 1},
			ByClass: map[string]int{"high": 2, "not_classified": 1}}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
		if _, err := e.svc.Count(e.ctx, nil); aims.CodeOf(err) != aims.CodeUnauthenticated {
			t.Errorf("anonymous count: %v", err)
		}
	})
}
