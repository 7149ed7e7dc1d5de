package decision_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
)

// FuzzVerifyReceipt feeds VerifyReceipt good receipts and every forgery of
// them. It must never panic, and whatever it accepts must claim a genuine
// decision: the record hash the log holds at that index (and its record, if
// any) in a tree that was signed.
func FuzzVerifyReceipt(f *testing.F) {
	d := dbtest.New(f, db.SQLite)
	e := newEnv(f, d)
	e.record(f, e.sys, sample("f", 20))
	e.record(f, e.other, []decision.Record{{ID: "o-1", Time: e.clock.Now(), Model: "2.0.0", Output: decision.Output{Label: "ok"}}})
	receipt := func(sys, key string) *decision.Receipt {
		rc, err := e.svc.Receipt(e.ctx, e.auditor(), sys, key)
		if err != nil {
			f.Fatal(err)
		}
		return rc
	}
	good, next, foreign := receipt("SYS-1", "f-5"), receipt("SYS-1", "f-6"), receipt("SYS-2", "o-1")
	e.record(f, e.sys, sample("g", 10))
	grown := receipt("SYS-1", "g-9")
	if _, err := e.svc.EraseSubject(e.ctx, e.owner(), "SYS-1", decision.EraseRequest{Subject: "s-3", Reason: "fuzz"}); err != nil {
		f.Fatal(err)
	}
	erased := receipt("SYS-1", "f-3")
	if erased.Record != "" {
		f.Fatal("the erased decision's receipt carries its record")
	}
	for _, rc := range []*decision.Receipt{good, next, foreign, grown, erased} {
		f.Add(must(json.Marshal(rc)))
	}
	for _, fg := range forgeries(f, good, next, foreign) {
		f.Add(fg.data)
	}
	for _, fg := range forgeries(f, grown, good, foreign) {
		f.Add(fg.data)
	}

	// What the logs hold, by origin and index.
	type leaf struct {
		hash    string
		payload []byte
	}
	genuine := map[string]map[int64]leaf{}
	sizes := map[string]map[int64]bool{}
	rows, err := d.QueryContext(e.ctx, `SELECT l.origin, x.idx, x.record_hash, x.payload FROM decisions x
		JOIN decision_logs dl ON dl.no = x.log_no JOIN logs l ON l.id = dl.log_id`)
	if err != nil {
		f.Fatal(err)
	}
	for rows.Next() {
		var origin string
		var idx int64
		var hash, payload []byte
		if err := rows.Scan(&origin, &idx, &hash, &payload); err != nil {
			f.Fatal(err)
		}
		if genuine[origin] == nil {
			genuine[origin] = map[int64]leaf{}
		}
		genuine[origin][idx] = leaf{base64.StdEncoding.EncodeToString(hash), payload}
	}
	rows.Close()
	rows, err = d.QueryContext(e.ctx, `SELECT l.origin, c.size FROM log_checkpoints c JOIN logs l ON l.id = c.log_id`)
	if err != nil {
		f.Fatal(err)
	}
	for rows.Next() {
		var origin string
		var size int64
		if err := rows.Scan(&origin, &size); err != nil {
			f.Fatal(err)
		}
		if sizes[origin] == nil {
			sizes[origin] = map[int64]bool{}
		}
		sizes[origin][size] = true
	}
	rows.Close()
	vs := e.verifiers(f)

	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decision.VerifyReceipt(data, vs)
		if err != nil {
			return
		}
		var r decision.Receipt
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("verified a receipt that is not JSON: %v", err)
		}
		g, ok := genuine[v.Origin][v.Index]
		if !ok || !sizes[v.Origin][v.TreeSize] || v.Index >= v.TreeSize {
			t.Fatalf("verified a receipt of entry %d of %s at size %d, which was never signed", v.Index, v.Origin, v.TreeSize)
		}
		if r.RecordHash != g.hash {
			t.Fatalf("verified a receipt claiming hash %s at %d, where the log holds %s", r.RecordHash, v.Index, g.hash)
		}
		if v.Record != nil {
			rec, err := base64.StdEncoding.DecodeString(r.Record)
			if err != nil || g.payload != nil && !bytes.Equal(rec, g.payload) {
				t.Fatalf("verified a receipt with another record at %d", v.Index)
			}
			if v.Record.ID == "" {
				t.Fatal("verified a record without an id")
			}
		}
	})
}
