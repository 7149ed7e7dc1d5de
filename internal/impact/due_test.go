package impact_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// TestDueAfterSignificantChange: a significant change of a system approved
// after an assessment's approval, as the life cycle records it on the
// system, makes the assessment due with the change named; another
// system's change does not; a new approval clears it.
func TestDueAfterSignificantChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		other := e.system(t, "Chat assistant")
		a := e.readyFRIA(t, "SYS-1")
		e.submit(t, a.Ref, "")
		e.approve(t, a.Ref, "")
		significant := func(s string, id, ref string) {
			t.Helper()
			if err := d.WithTx(e.ctx, func(tx *db.Tx) error {
				return e.logs.Record(e.ctx, tx, e.org, e.manager(), "ai_system.significant_change", tlog.EventObject{Type: "ai_system", ID: id, Ref: ref},
					[]tlog.Change{{Field: "significant_change", Before: []byte(`""`), After: []byte(s)}})
			}); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(time.Hour)
		significant(`"CR-2: Chat model 4"`, other.ID, other.Ref)
		if got := e.get(t, a.Ref); got.Due {
			t.Fatalf("due after another system's change: %+v", got.DueReasons)
		}
		e.clock.Advance(time.Hour)
		at := e.clock.Now()
		significant(`"CR-3: New ranking model"`, sys.ID, sys.Ref)
		want := []impact.DueReason{{Kind: "system_change", Field: "significant_change", At: &at,
			Text: "a significant change was approved: CR-3 New ranking model after version 1 was approved, by manager@zoe.example"}}
		got := e.get(t, a.Ref)
		if diff := cmp.Diff(want, got.DueReasons); diff != "" || !got.Due {
			t.Errorf("due reasons (-want +got):\n%s", diff)
		}
		snap, err := e.svc.Snapshot(e.ctx, e.org)
		if err != nil || !snap[sys.ID].Due || snap[sys.ID].Reasons[0].Text != "IA-1: "+want[0].Text {
			t.Errorf("snapshot = %+v, %v", snap[sys.ID], err)
		}
		// A new approval answers it.
		e.clock.Advance(time.Hour)
		e.answer(t, a.Ref, map[string]string{"measures": "Suspend ranking and re-screen by hand."})
		e.submit(t, a.Ref, "")
		e.approve(t, a.Ref, "Reviewed after CR-3")
		if got := e.get(t, a.Ref); got.Due || len(got.DueReasons) != 0 {
			t.Errorf("still due after a new approval: %+v", got.DueReasons)
		}
	})
}
