package supplier_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/google/go-cmp/cmp"
)

// TestReminders follows a supplier from never assessed to assessed and due
// again, with keys and dates worked out by hand.
func TestReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		dataCo := e.party(t, supplier.PartyRequest{Name: "DataCo", Kind: "supplier"})
		e.party(t, supplier.PartyRequest{Name: "Idle Supplier", Kind: "supplier"})
		if _, err := e.svc.AddSupply(e.ctx, e.contributor(), "TP-1", supplier.SupplyRequest{Kind: "service", System: "SYS-1"}); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := []aims.Reminder{{Key: "supplier:" + dataCo.ID + ":never", Kind: "review_due", Ref: "TP-1",
			Title: "Supplier DataCo has never been assessed", Due: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Link: "/suppliers/TP-1"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("never assessed (-want +got):\n%s", diff)
		}
		// Assessed today with the next assessment on 1 June: nothing is due until then.
		if _, err := e.svc.Assess(e.ctx, e.manager(), "TP-1", supplier.AssessRequest{Result: "satisfactory", NextAssessmentOn: "2026-06-01"}); err != nil {
			t.Fatal(err)
		}
		if got, err = e.svc.Reminders(e.ctx, e.org); err != nil || len(got) != 0 {
			t.Errorf("after the assessment: %+v %v", got, err)
		}
		// 91 days after 2 March is 1 June.
		e.clock.Advance(91 * 24 * time.Hour)
		want = []aims.Reminder{{Key: "supplier:" + dataCo.ID + ":2026-06-01", Kind: "review_due", Ref: "TP-1",
			Title: "Supplier DataCo is due for assessment since 2026-06-01", Due: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Link: "/suppliers/TP-1"}}
		if got, err = e.svc.Reminders(e.ctx, e.org); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("due again (-want +got):\n%s", diff)
		}
		other := e.member(t, "Globex", "o@globex.example", "Globex owner", aims.RoleOwner)
		if got, err = e.svc.Reminders(e.ctx, other.OrgID); err != nil || len(got) != 0 {
			t.Errorf("another organisation: %+v %v", got, err)
		}
	})
}
