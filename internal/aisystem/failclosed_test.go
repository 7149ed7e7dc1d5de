package aisystem_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestFailClosed proves that a change whose audit event cannot be written is
// refused whole: with log appends failing in the database, every change
// returns the failure and the inventory, its reference counter and the logs
// stay exactly as they were.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		owner := e.as[aims.RoleOwner]
		s1 := e.create(t, fullRequest(owner.UserID))
		e.create(t, aisystem.CreateRequest{Name: "Archived", IntendedPurpose: "P"})
		if _, err := e.svc.Archive(e.ctx, owner, "SYS-2"); err != nil {
			t.Fatal(err)
		}
		servicetest.FailAuditAppends(t, d)

		ops := []struct {
			name string
			do   func() error
		}{
			{"Create", func() error {
				_, err := e.svc.Create(e.ctx, owner, aisystem.CreateRequest{Name: "New", IntendedPurpose: "P"})
				return err
			}},
			{"Update", func() error {
				_, err := e.svc.Update(e.ctx, owner, "SYS-1", aisystem.UpdateRequest{Version: 1, Name: ptr("Renamed"), Description: ptr("changed")})
				return err
			}},
			{"Archive", func() error { _, err := e.svc.Archive(e.ctx, owner, "SYS-1"); return err }},
			{"Restore", func() error { _, err := e.svc.Restore(e.ctx, owner, "SYS-2"); return err }},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					err := op.do()
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if diff := cmp.Diff(s1, e.get(t, "SYS-1")); diff != "" {
			t.Errorf("SYS-1 changed (-before +after):\n%s", diff)
		}
		// Reads still work, and no reference was used up.
		if p := list(t, e, aisystem.ListQuery{Status: "all"}); p.Total != 2 {
			t.Errorf("%d systems listed, want 2", p.Total)
		}
		if got := servicetest.RowsOf(t, d, `SELECT kind, last FROM refs WHERE org_id = ?`, e.org); !cmp.Equal(got, []string{"kind=SYS last=2"}) {
			t.Errorf("refs = %q", got)
		}
	})
}
