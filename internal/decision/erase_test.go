package decision_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
)

// pseudonym is a subject no other text of a test contains.
const pseudonym = "subj-Zq81-erase-me"

// TestEraseSubject erases exactly one subject's payloads, pseudonyms and
// sensitive attributes, writes one audit event without the pseudonym, and
// leaves a log that verifies.
func TestEraseSubject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		recs := sample("e", 200)
		var want []string // ids about the subject
		var withAttrs int
		for i := range recs {
			if i%7 == 3 {
				recs[i].Subject = pseudonym
				want = append(want, recs[i].ID)
				if recs[i].Sensitive != nil {
					withAttrs++
				}
			}
		}
		res := e.record(t, e.sys, recs)
		// The same pseudonym in another system is not touched.
		otherRecs := []decision.Record{{ID: "x-1", Time: servicetest.T0, Model: "2.0.0", Output: decision.Output{Label: "ok"}, Subject: pseudonym}}
		e.record(t, e.other, otherRecs)
		e.verifyAll(t)
		idxOf := map[string]int64{}
		for i, x := range indexes(res) {
			idxOf[recs[i].ID] = x
		}
		no := e.logNo(t, e.sys)

		// Refusals: the request must say whom and why.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.EraseSubject(e.ctx, e.manager(), "SYS-1", decision.EraseRequest{Subject: " ", Reason: ""})
			servicetest.WantFields(t, err, aims.CodeInvalid, "reason", "subject")
			_, err = e.svc.EraseSubject(e.ctx, e.manager(), "SYS-1", decision.EraseRequest{Subject: strings.Repeat("s", 201), Reason: strings.Repeat("r", 2001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "reason", "subject")
			// A subject with no decisions erases nothing and writes nothing.
			r, err := e.svc.EraseSubject(e.ctx, e.manager(), "SYS-1", decision.EraseRequest{Subject: "nobody", Reason: "request 1"})
			if err != nil || r.Erased != 0 || r.System != "SYS-1" {
				t.Fatal(r, err)
			}
		})

		events := len(servicetest.Events(t, e.ctx, d, e.org))
		er, err := e.svc.EraseSubject(e.ctx, e.manager(), "SYS-1", decision.EraseRequest{Subject: "  " + pseudonym + " ", Reason: "DSAR 2026-17"})
		if err != nil {
			t.Fatal(err)
		}
		if er.Erased != int64(len(want)) || len(want) != 29 {
			t.Fatalf("erased %d, want %d", er.Erased, len(want))
		}
		// Exactly those rows lost payload and subject; the rest kept both.
		erasedIDs := servicetest.RowsOf(t, d, `SELECT client_id FROM decisions WHERE log_no = ? AND payload IS NULL AND subject IS NULL AND erased_at IS NOT NULL`, no)
		wantRows := make([]string, len(want))
		for i, id := range want {
			wantRows[i] = "client_id=" + id
		}
		slices.Sort(wantRows)
		if !slices.Equal(erasedIDs, wantRows) {
			t.Fatalf("erased rows %v, want %v", erasedIDs, wantRows)
		}
		if n := e.count(t, `SELECT count(*) FROM decisions WHERE log_no = ? AND payload IS NOT NULL AND erased_at IS NULL`, no); n != 200-len(want) {
			t.Fatalf("%d rows kept their payload", n)
		}
		if n := e.count(t, `SELECT count(*) FROM decisions WHERE subject = ?`, pseudonym); n != 1 {
			t.Fatalf("%d rows still name the subject, want the other system's one", n)
		}
		if n := e.count(t, `SELECT count(*) FROM decision_attributes WHERE log_no = ? AND attributes IS NULL AND salt IS NULL AND erased_at IS NOT NULL`, no); n != withAttrs {
			t.Fatalf("%d attribute rows erased, want %d", n, withAttrs)
		}
		if n := e.count(t, `SELECT count(*) FROM decision_attributes WHERE log_no = ? AND attributes IS NOT NULL`, no); n != 100-withAttrs {
			t.Fatalf("%d attribute rows kept", n)
		}
		// One audit event, naming the count and reason but not the pseudonym.
		evs := servicetest.Events(t, e.ctx, d, e.org)
		if len(evs) != events+1 {
			t.Fatalf("%d new events", len(evs)-events)
		}
		ev := evs[len(evs)-1]
		if ev.Action != "decision.erase" || ev.Object.Type != decision.ObjectLog || ev.Object.ID != e.sys.ID || ev.Object.Ref != "SYS-1" ||
			ev.Actor.ID != e.manager().UserID {
			t.Fatalf("event %+v", ev)
		}
		if ch := servicetest.ChangeMap(t, ev); ch["erased"][1] != fmt.Sprint(len(want)) || ch["reason"][1] != servicetest.JSONString("DSAR 2026-17") {
			t.Fatalf("changes %v", ch)
		}
		if servicetest.PayloadsContain(t, d, pseudonym) {
			t.Fatal("the audit log holds the erased pseudonym")
		}
		// Reading shows the decision without its record.
		got, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", want[0])
		if err != nil {
			t.Fatal(err)
		}
		if got.Record != nil || !got.Erased || got.ErasedAt == nil || !got.ErasedAt.Equal(servicetest.T0) || got.Subject != "" ||
			got.Index != idxOf[want[0]] || got.RecordHash == "" {
			t.Fatalf("erased decision %+v", got)
		}
		page, err := e.svc.List(e.ctx, e.auditor(), "SYS-1", decision.Query{Subject: pseudonym})
		if err != nil || len(page.Items) != 0 {
			t.Fatalf("the subject is still searchable: %+v %v", page, err)
		}
		// Erasing again finds nothing and writes no event.
		er, err = e.svc.EraseSubject(e.ctx, e.manager(), "SYS-1", decision.EraseRequest{Subject: pseudonym, Reason: "again"})
		if err != nil || er.Erased != 0 {
			t.Fatal(er, err)
		}
		if n := len(servicetest.Events(t, e.ctx, d, e.org)); n != events+1 {
			t.Fatalf("%d events after erasing again", n)
		}
		r := e.verifyAll(t)["decision/"+e.sys.ID]
		if r.Erased != int64(len(want)) || r.Entries != 200 {
			t.Fatalf("report: %d erased of %d", r.Erased, r.Entries)
		}
		// Erasure is the one change the database allows, and only towards less.
		for _, q := range []string{`UPDATE decisions SET payload = record_hash WHERE payload IS NULL`,
			`UPDATE decisions SET erased_at = NULL WHERE erased_at IS NOT NULL`,
			`UPDATE decisions SET subject = 'x' WHERE erased_at IS NOT NULL`,
			`UPDATE decision_attributes SET attributes = '{}' WHERE erased_at IS NOT NULL`} {
			if _, err := d.ExecContext(e.ctx, q); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
	})
}

// TestEraseFailsClosed erases nothing when the audit event cannot be written.
func TestEraseFailsClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("c", 50))
		e.clock.Advance(400 * 24 * time.Hour)
		servicetest.FailAuditAppends(t, d)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.EraseSubject(e.ctx, e.owner(), "SYS-1", decision.EraseRequest{Subject: "s-1", Reason: "DSAR"})
			if err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("erasure without its audit event: %v", err)
			}
			if _, err := e.svc.EraseExpired(e.ctx); err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("expired erasure without its audit event: %v", err)
			}
			_, err = e.svc.SetRetention(e.ctx, e.owner(), "SYS-1", decision.RetentionRequest{Days: 365})
			if err == nil {
				t.Fatal("retention changed without its audit event")
			}
		})
	})
}

// TestEraseExpiredCountsOnlyWhatItErased expects the count EraseExpired
// returns with an error to leave out the erasure that was rolled back.
func TestEraseExpiredCountsOnlyWhatItErased(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	e := newEnv(t, d)
	e.record(t, e.sys, sample("c", 50))
	e.clock.Advance(400 * 24 * time.Hour)
	servicetest.FailAuditAppends(t, d)
	if n, err := e.svc.EraseExpired(e.ctx); err == nil || n != 0 {
		t.Fatalf("EraseExpired = %d, %v; want 0 and an error", n, err)
	}
}

// TestRetention sets retention within its bounds and erases, per system,
// only the payloads recorded longer ago than it.
func TestRetention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		// Bounds: six months at least, a century at most.
		servicetest.Unchanged(t, d, func() {
			for _, days := range []int{0, -1, 182, 36501} {
				_, err := e.svc.SetRetention(e.ctx, e.owner(), "SYS-1", decision.RetentionRequest{Days: days})
				servicetest.WantFields(t, err, aims.CodeInvalid, "days")
			}
		})
		if l := e.logOf(t, e.sys); l.RetentionDays != decision.DefaultRetentionDays || l.Size != 0 || decision.DefaultRetentionDays != 183 {
			t.Fatalf("log before anything %+v", l)
		}
		// Setting it on a system without decisions creates the log.
		l, err := e.svc.SetRetention(e.ctx, e.manager(), "SYS-2", decision.RetentionRequest{Days: 400})
		if err != nil || l.RetentionDays != 400 {
			t.Fatal(l, err)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "decision_log.retention" || ev.Object.ID != e.other.ID ||
			servicetest.ChangeMap(t, ev)["retention_days"] != [2]string{"183", "400"} {
			t.Fatalf("event %+v %v", ev, servicetest.ChangeMap(t, ev))
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !slices.Contains(got, "decision_log.create") {
			t.Fatalf("actions %v", got)
		}
		l, err = e.svc.SetRetention(e.ctx, e.owner(), "SYS-2", decision.RetentionRequest{Days: 183})
		if err != nil || l.RetentionDays != 183 {
			t.Fatal(l, err)
		}
		if ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); ch["retention_days"] != [2]string{"400", "183"} {
			t.Fatalf("changes %v", ch)
		}
		// The same value again changes nothing.
		servicetest.Unchanged(t, d, func() {
			if l, err := e.svc.SetRetention(e.ctx, e.owner(), "SYS-2", decision.RetentionRequest{Days: 183}); err != nil || l.RetentionDays != 183 {
				t.Fatal(l, err)
			}
		})
		if _, err := e.svc.SetRetention(e.ctx, e.owner(), "SYS-2", decision.RetentionRequest{Days: 36500}); err != nil {
			t.Fatal(err)
		}

		// SYS-1 keeps 183 days, SYS-2 a century. Old records at T0, new ones 100 days later.
		old := sample("old", 60)
		e.record(t, e.sys, old)
		otherOld := make([]decision.Record, 5)
		for i := range otherOld {
			otherOld[i] = decision.Record{ID: fmt.Sprintf("o-%d", i), Time: servicetest.T0, Model: "2.0.0", Output: decision.Output{Label: "ok"},
				Sensitive: map[string]string{"sex": "female"}}
		}
		e.record(t, e.other, otherOld)
		e.clock.Advance(100 * 24 * time.Hour)
		e.record(t, e.sys, sample("new", 40))
		// Nothing is due yet.
		servicetest.Unchanged(t, d, func() {
			if n, err := e.svc.EraseExpired(e.ctx); err != nil || n != 0 {
				t.Fatal(n, err)
			}
		})
		e.clock.Advance(90 * 24 * time.Hour) // old ones 190 days, new ones 90
		n, err := e.svc.EraseExpired(e.ctx)
		if err != nil || n != 60 {
			t.Fatalf("erased %d, want 60: %v", n, err)
		}
		no := e.logNo(t, e.sys)
		if got := servicetest.RowsOf(t, d, `SELECT substr(client_id, 1, 4) AS p, count(*) AS n FROM decisions
			WHERE log_no = ? AND payload IS NULL GROUP BY substr(client_id, 1, 4)`, no); !slices.Equal(got, []string{"p=old- n=60"}) {
			t.Fatalf("erased %v", got)
		}
		if n := e.count(t, `SELECT count(*) FROM decision_attributes WHERE log_no = ? AND erased_at IS NOT NULL`, no); n != 30 {
			t.Fatalf("%d attribute rows erased, want 30", n)
		}
		if n := e.count(t, `SELECT count(*) FROM decisions WHERE log_no = ? AND payload IS NULL`, e.logNo(t, e.other)); n != 0 {
			t.Fatalf("%d of SYS-2's kept for a century were erased", n)
		}
		ev = servicetest.LastEvent(t, e.ctx, d, e.org)
		cutoff := servicetest.T0.Add(190*24*time.Hour - 183*24*time.Hour)
		if ch := servicetest.ChangeMap(t, ev); ev.Action != "decision.retention_erase" || ev.Object.ID != e.sys.ID || ev.Actor.Label != "aims:retention" ||
			ch["erased"][1] != "60" || ch["recorded_before"][1] != servicetest.JSONString(cutoff.Format(time.RFC3339)) {
			t.Fatalf("event %+v %v", ev, ch)
		}
		// Run again: nothing more, no event.
		events := len(servicetest.Events(t, e.ctx, d, e.org))
		if n, err := e.svc.EraseExpired(e.ctx); err != nil || n != 0 {
			t.Fatal(n, err)
		}
		if len(servicetest.Events(t, e.ctx, d, e.org)) != events {
			t.Fatal("an event for erasing nothing")
		}
		e.clock.Advance(100 * 24 * time.Hour)
		if n, err := e.svc.EraseExpired(e.ctx); err != nil || n != 40 {
			t.Fatalf("erased %d, want 40: %v", n, err)
		}
		r := e.verifyAll(t)
		if r["decision/"+e.sys.ID].Erased != 100 || r["decision/"+e.other.ID].Erased != 0 {
			t.Fatalf("reports %+v", r)
		}
	})
}
