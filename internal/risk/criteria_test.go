package risk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

func TestDefaultCriteria(t *testing.T) {
	def := risk.DefaultCriteria()
	if len(def.Likelihood) != 5 || len(def.Impact) != 5 || len(def.Levels) != 4 || def.Appetite != "medium" {
		t.Fatalf("default = %+v", def)
	}
	want := [][]string{
		{"low", "low", "low", "low", "medium"},
		{"low", "low", "medium", "medium", "high"},
		{"low", "medium", "medium", "high", "high"},
		{"low", "medium", "high", "high", "critical"},
		{"medium", "high", "high", "critical", "critical"},
	}
	if diff := cmp.Diff(want, def.Matrix); diff != "" {
		t.Errorf("default matrix (-want +got):\n%s", diff)
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, err := e.svc.Criteria(e.ctx, e.viewer())
		servicetest.WantCode(t, err, aims.CodeNotFound)
		c := e.setCriteria(t, risk.DefaultCriteria())
		if c.Version != 1 || c.Size() != "5×5" || !c.Current {
			t.Errorf("saved default = %+v", c)
		}
	})
}

func TestSetCriteria(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		req := fourByFour()
		req.Note = "First criteria, agreed by the board."
		c1 := e.setCriteria(t, req)
		owner := e.owner()
		if c1.Version != 1 || c1.Appetite != "medium" || c1.Note != "First criteria, agreed by the board." || c1.CreatedBy != owner.UserID ||
			c1.CreatedByName != "Zoë Owner" || !c1.CreatedAt.Equal(t0) || !c1.Current || c1.Levels[1].Colour != "#f9a825" {
			t.Errorf("v1 = %+v", c1)
		}
		// Levels come from the cells.
		for _, tc := range []struct {
			l, i  int
			level string
			rank  int
		}{{1, 1, "low", 1}, {3, 2, "medium", 2}, {2, 4, "high", 3}, {4, 3, "critical", 4}, {3, 4, "critical", 4}} {
			r := c1.Rate(tc.l, tc.i)
			if r.Level != tc.level || r.Rank != tc.rank || r.Likelihood != tc.l || r.Impact != tc.i {
				t.Errorf("cell %d-%d = %+v, want %s", tc.l, tc.i, r, tc.level)
			}
		}
		if r := c1.Rate(3, 4); r.LikelihoodLabel != "Likely" || r.ImpactLabel != "Severe" || r.Colour != "#c62828" {
			t.Errorf("cell 3-4 = %+v", r)
		}
		if c1.Rate(5, 1) != nil || c1.Rate(0, 1) != nil || !c1.Above("high") || c1.Above("medium") || c1.ReviewDays("high") != 90 {
			t.Error("scale bounds or appetite wrong")
		}
		ev := e.lastEvent(t)
		if ev.Action != "risk_criteria.version" || ev.Object.Type != "risk_criteria" || ev.Object.Ref != "Risk criteria v1" {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"version":                 {"null", "1"},
			"likelihood":              {"null", `["Rare","Unlikely","Likely","Almost certain"]`},
			"likelihood_descriptions": {"null", `["","","About once a year.",""]`},
			"impact":                  {"null", `["Minor","Moderate","Major","Severe"]`},
			"impact_descriptions":     {"null", `["","","","Irreversible harm."]`},
			"levels":                  {"null", `["low #2e7d32 365d","medium #f9a825 180d","high #ef6c00 90d","critical #c62828 30d"]`},
			"matrix": {"null", `["L1: low, low, medium, medium","L2: low, medium, medium, high",` +
				`"L3: medium, medium, high, critical","L4: medium, high, critical, critical"]`},
			"appetite": {"null", `"medium"`},
			"note":     {"null", js("First criteria, agreed by the board.")},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("v1 changes (-want +got):\n%s", diff)
		}

		// The same criteria again: no new version, no event.
		servicetest.Unchanged(t, d, func() {
			again := fourByFour()
			again.Version = 1
			if c, err := e.svc.SetCriteria(e.ctx, e.manager(), again); err != nil || c.Version != 1 {
				t.Errorf("unchanged criteria: %v %+v", err, c)
			}
		})
		// A stale version is refused.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetCriteria(e.ctx, e.manager(), fourByFour())
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})

		// Version 2: the appetite rises and one cell changes; v1 stays as it was.
		e.clock.Advance(time.Hour)
		req2 := fourByFour()
		req2.Version, req2.Appetite, req2.Matrix[1][3] = 1, "high", "critical"
		c2, err := e.svc.SetCriteria(e.ctx, e.manager(), req2)
		if err != nil {
			t.Fatal(err)
		}
		if c2.Version != 2 || c2.CreatedByName != "Max Manager" || !c2.Current {
			t.Errorf("v2 = %+v", c2)
		}
		wantCh = map[string][2]string{
			"version":  {"1", "2"},
			"appetite": {`"medium"`, `"high"`},
			"matrix": {`["L1: low, low, medium, medium","L2: low, medium, medium, high","L3: medium, medium, high, critical","L4: medium, high, critical, critical"]`,
				`["L1: low, low, medium, medium","L2: low, medium, medium, critical","L3: medium, medium, high, critical","L4: medium, high, critical, critical"]`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, e.lastEvent(t))); diff != "" {
			t.Errorf("v2 changes (-want +got):\n%s", diff)
		}
		old, err := e.svc.CriteriaVersion(e.ctx, e.viewer(), 1)
		if err != nil {
			t.Fatal(err)
		}
		c1.Current = false
		if diff := cmp.Diff(c1, old); diff != "" {
			t.Errorf("v1 changed (-before +after):\n%s", diff)
		}
		cur, err := e.svc.Criteria(e.ctx, e.viewer())
		if err != nil || cur.Version != 2 {
			t.Errorf("current = %+v, %v", cur, err)
		}
		list, err := e.svc.CriteriaVersions(e.ctx, e.as[aims.RoleAuditor])
		if err != nil {
			t.Fatal(err)
		}
		want := []risk.CriteriaSummary{
			{Version: 2, Size: "4×4", Levels: []string{"low", "medium", "high", "critical"}, Appetite: "high", CreatedBy: e.manager().UserID,
				CreatedByName: "Max Manager", CreatedAt: t0.Add(time.Hour)},
			{Version: 1, Size: "4×4", Levels: []string{"low", "medium", "high", "critical"}, Appetite: "medium",
				Note: "First criteria, agreed by the board.", CreatedBy: owner.UserID, CreatedByName: "Zoë Owner", CreatedAt: t0},
		}
		if diff := cmp.Diff(want, list); diff != "" {
			t.Errorf("versions (-want +got):\n%s", diff)
		}
		_, err = e.svc.CriteriaVersion(e.ctx, e.viewer(), 3)
		servicetest.WantCode(t, err, aims.CodeNotFound)
		// Stored versions are read-only.
		if _, err := d.ExecContext(e.ctx, `UPDATE risk_criteria SET note = 'forged'`); err == nil {
			t.Error("risk_criteria accepted an UPDATE")
		}
		if _, err := d.ExecContext(e.ctx, `DELETE FROM risk_criteria`); err == nil {
			t.Error("risk_criteria accepted a DELETE")
		}
	})
}

func TestCriteriaValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		bad := fourByFour()
		bad.Likelihood[1].Label = " "
		bad.Likelihood[2].Label = "rare"
		bad.Impact = bad.Impact[:1]
		bad.Levels[0].Colour = "green"
		bad.Levels[2].Name = "Medium "
		bad.Levels[2].Name = "medium"
		bad.Levels[3].ReviewDays = 0
		bad.Appetite = "moderate"
		bad.Version = -1
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetCriteria(e.ctx, e.owner(), bad)
			servicetest.WantFields(t, err, aims.CodeInvalid, "appetite", "impact", "levels.1.colour", "levels.3.name",
				"levels.4.review_days", "likelihood.2.label", "likelihood.3.label", "matrix", "version")
		})
		// Cells: unknown levels, blanks and a level lower than its neighbour, each named.
		cells := fourByFour()
		cells.Matrix[0][1] = "tiny"
		cells.Matrix[2][0] = ""
		cells.Matrix[3][3] = "high"
		cells.Levels = append(cells.Levels, make([]risk.Level, 8)...)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetCriteria(e.ctx, e.owner(), cells)
			ae := servicetest.WantCode(t, err, aims.CodeInvalid)
			var got []string
			for _, f := range ae.Fields {
				if strings.HasPrefix(f.Field, "matrix") || f.Field == "levels" {
					got = append(got, f.Field+" "+f.Message)
				}
			}
			want := []string{"levels must have 2 to 10 levels, not 12",
				"matrix.1.2 must be one of the levels",
				"matrix.3.1 is required: choose the level of likelihood 3 and impact 1",
				"matrix.4.4 must not be lower than the level of likelihood 3 and impact 4 (critical)"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("cell problems (-want +got):\n%s", diff)
			}
		})
		// Only owners and managers set criteria.
		for _, role := range []aims.Role{aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.SetCriteria(e.ctx, e.as[role], fourByFour())
				servicetest.WantCode(t, err, aims.CodeForbidden)
			})
		}
	})
}
