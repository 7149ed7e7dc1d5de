package decision_test

import (
	"encoding/json"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/tlog"
)

func TestSmoke(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		recs := sample("a", 1000)
		res, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", recs, decision.RecordOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 1000 || res.Size != 1000 {
			t.Fatalf("%+v", res.Accepted)
		}
		res, err = e.svc.Record(e.ctx, e.contributor(), "SYS-1", append(sample("a", 10), sample("b", 300)...), decision.RecordOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 300 || res.Duplicates != 10 || res.Size != 1300 || *res.Results[3].Index != 3 || *res.Results[10].Index != 1000 {
			t.Fatalf("%+v", res)
		}
		vs, _ := tlog.Verifiers(e.key.VerifierKey)
		if _, err := e.logs.SignAll(e.ctx); err != nil {
			t.Fatal(err)
		}
		reps, err := tlog.VerifyAll(e.ctx, d, e.org, tlog.VerifyOptions{Verifiers: vs})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if !r.OK() {
				t.Fatalf("%s: %v", r.Origin, r.Problems)
			}
		}
		rc, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "b-7")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rc)
		v, err := decision.VerifyReceipt(b, vs)
		if err != nil {
			t.Fatal(err)
		}
		if v.Index != 1007 || v.Record.ID != "b-7" {
			t.Fatalf("%+v", v)
		}
		er, err := e.svc.EraseSubject(e.ctx, e.manager(), "SYS-1", decision.EraseRequest{Subject: "s-3", Reason: "DSAR 42"})
		if err != nil || er.Erased != 130 {
			t.Fatal(er, err)
		}
		reps, err = tlog.VerifyAll(e.ctx, d, e.org, tlog.VerifyOptions{Verifiers: vs})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if !r.OK() {
				t.Fatalf("%s: %v", r.Origin, r.Problems)
			}
		}
		if _, err := decision.VerifyReceipt(b, vs); err != nil {
			t.Fatal(err)
		}
		o, err := e.svc.Oversight(e.ctx, e.viewer(), "SYS-1")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", o.Total)
	})
}
