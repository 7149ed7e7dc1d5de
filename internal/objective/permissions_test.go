package objective_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions tries every method as every role: owners and managers
// set objectives and indicators, editors record values, everyone reads. A
// refused call changes nothing.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role          aims.Role
		edit, measure aims.Code
	}{
		{aims.RoleOwner, ok, ok},
		{aims.RoleManager, ok, ok},
		{aims.RoleContributor, forbidden, ok},
		{aims.RoleAuditor, forbidden, forbidden},
		{aims.RoleViewer, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.objective(t, "Base")
		e.indicator(t, "OBJ-1", explained)
		for i, tc := range tests {
			a := e.as[tc.role]
			t.Run(string(tc.role), func(t *testing.T) {
				check := func(method string, want aims.Code, call func() error) {
					t.Helper()
					if want == ok {
						if err := call(); err != nil {
							t.Errorf("%s: %v", method, err)
						}
						return
					}
					servicetest.Unchanged(t, d, func() { servicetest.WantCode(t, call(), want) })
				}
				name := fmt.Sprintf("Objective %d", i)
				check("Create", tc.edit, func() error { _, err := e.svc.Create(e.ctx, a, validObjective(name)); return err })
				o, err := e.svc.Get(e.ctx, a, "OBJ-1")
				if err != nil {
					t.Fatal(err)
				}
				check("Update", tc.edit, func() error {
					_, err := e.svc.Update(e.ctx, a, "OBJ-1", objective.ObjectiveUpdate{Version: o.Version, Description: ptr(name)})
					return err
				})
				o, _ = e.svc.Get(e.ctx, a, "OBJ-1")
				check("SetStatus", tc.edit, func() error {
					_, err := e.svc.SetStatus(e.ctx, a, "OBJ-1", objective.ObjectiveStatusRequest{Version: o.Version, Status: "achieved", Note: name})
					if err == nil {
						_, err = e.svc.SetStatus(e.ctx, a, "OBJ-1", objective.ObjectiveStatusRequest{Version: o.Version + 1, Status: "active", Note: name})
					}
					return err
				})
				check("AddIndicator", tc.edit, func() error {
					_, err := e.svc.AddIndicator(e.ctx, a, "OBJ-1", objective.IndicatorRequest{Name: name, Target: atLeast(1), Cadence: "yearly", Method: "m"})
					return err
				})
				in, err := e.svc.Indicator(e.ctx, a, "OBJ-1", 1)
				if err != nil {
					t.Fatal(err)
				}
				check("UpdateIndicator", tc.edit, func() error {
					_, err := e.svc.UpdateIndicator(e.ctx, a, "OBJ-1", 1, objective.IndicatorUpdate{Version: in.Version, Method: ptr(name)})
					return err
				})
				check("Measure", tc.measure, func() error {
					_, err := e.svc.Measure(e.ctx, a, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(float64(i))})
					return err
				})
				check("MeasureBatch", tc.measure, func() error {
					_, err := e.svc.MeasureBatch(e.ctx, a, []objective.MeasurementItem{{Indicator: "OBJ-1/I1", Value: ptr(float64(i))}})
					return err
				})
				for method, call := range map[string]func() error{
					"List":         func() error { _, err := e.svc.List(e.ctx, a, objective.ObjectiveQuery{}); return err },
					"History":      func() error { _, err := e.svc.History(e.ctx, a, "OBJ-1"); return err },
					"Measurements": func() error { _, err := e.svc.Measurements(e.ctx, a, "OBJ-1", 1); return err },
				} {
					check(method, ok, call)
				}
			})
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, nil, validObjective("x"))
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.List(e.ctx, nil, objective.ObjectiveQuery{})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.MeasureBatch(e.ctx, nil, nil)
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		})
	})
}

// TestOrganisationsAreIsolated proves that another organisation can neither
// see nor change Acme's objectives, nor name Acme's records in its own.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		o := e.objective(t, "Acme's")
		e.indicator(t, "OBJ-1", explained)
		e.measure(t, "OBJ-1", 1, 96, "2026-02-28")
		e.fakeEvidence(e.org, "EV-1", "Acme's evidence")
		out := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		for _, key := range []string{o.ID, "OBJ-1"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.Get(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Update(e.ctx, out, key, objective.ObjectiveUpdate{Version: 1, Title: ptr("mine")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.SetStatus(e.ctx, out, key, objective.ObjectiveStatusRequest{Version: 1, Status: "withdrawn", Note: "n"})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.AddIndicator(e.ctx, out, key, explained)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.UpdateIndicator(e.ctx, out, key, 1, objective.IndicatorUpdate{Version: 1, Name: ptr("x")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Measure(e.ctx, out, key, 1, objective.MeasureRequest{Value: ptr(1.0)})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Measurements(e.ctx, out, key, 1)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.History(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.MeasureBatch(e.ctx, out, []objective.MeasurementItem{{Indicator: "OBJ-1/I1", Value: ptr(1.0)}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "items[0].indicator")
			// Acme's members, systems and evidence cannot be named in the other organisation's records.
			req := validObjective("Theirs")
			req.Systems = []string{"SYS-1"}
			_, err = e.svc.Create(e.ctx, out, req)
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner", "systems")
		})
		req := validObjective("Theirs")
		req.Owner = "otto@other.example"
		theirs, err := e.svc.Create(e.ctx, out, req)
		if err != nil || theirs.Ref != "OBJ-1" || theirs.ID == o.ID {
			t.Fatalf("their objective %+v, %v", theirs, err)
		}
		if _, err := e.svc.AddIndicator(e.ctx, out, "OBJ-1", explained); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Measure(e.ctx, out, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(1.0), Evidence: "EV-1"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "evidence")
		})
		page, err := e.svc.List(e.ctx, out, objective.ObjectiveQuery{Status: "all"})
		if err != nil || page.Total != 1 || page.Items[0].Title != "Theirs" || len(page.Items[0].Indicators) != 1 || page.Items[0].Indicators[0].Latest != nil {
			t.Errorf("their list %+v, %v", page, err)
		}
	})
}

// TestFailClosed proves that a change whose audit event cannot be written
// is refused whole, reference counters included.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.objective(t, "Base")
		e.indicator(t, "OBJ-1", explained)
		e.measure(t, "OBJ-1", 1, 96, "2026-02-28")
		m, c := e.manager(), e.contributor()
		servicetest.FailAuditAppends(t, d)
		for name, do := range map[string]func() error{
			"Create": func() error { _, err := e.svc.Create(e.ctx, m, validObjective("New")); return err },
			"Update": func() error {
				_, err := e.svc.Update(e.ctx, m, "OBJ-1", objective.ObjectiveUpdate{Version: 1, Title: ptr("Renamed")})
				return err
			},
			"SetStatus": func() error {
				_, err := e.svc.SetStatus(e.ctx, m, "OBJ-1", objective.ObjectiveStatusRequest{Version: 1, Status: "achieved", Note: "n"})
				return err
			},
			"AddIndicator": func() error { _, err := e.svc.AddIndicator(e.ctx, m, "OBJ-1", explained); return err },
			"UpdateIndicator": func() error {
				_, err := e.svc.UpdateIndicator(e.ctx, m, "OBJ-1", 1, objective.IndicatorUpdate{Version: 1, Name: ptr("x")})
				return err
			},
			"Measure": func() error {
				_, err := e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(1.0)})
				return err
			},
			"Correct": func() error {
				_, err := e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(1.0), Corrects: 1, Note: "n"})
				return err
			},
			"MeasureBatch": func() error {
				_, err := e.svc.MeasureBatch(e.ctx, c, []objective.MeasurementItem{{Indicator: "OBJ-1/I1", Value: ptr(1.0)}})
				return err
			},
		} {
			t.Run(name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					if err := do(); err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if sum, err := e.svc.Summary(e.ctx, e.org); err != nil || len(sum.Indicators) != 1 {
			t.Errorf("summary %+v, %v", sum, err)
		}
	})
}
