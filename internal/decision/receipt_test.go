package decision_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"golang.org/x/mod/sumdb/note"
)

// forgery is a receipt altered one way, and what its refusal should say.
type forgery struct {
	name string
	data []byte
	say  string
}

// forgeries alters a good receipt in every way a forger might, swapping in
// parts of genuine receipts of another decision of the same log (other) and
// of another system's log (foreign).
func forgeries(t testing.TB, good, other, foreign *decision.Receipt) []forgery {
	t.Helper()
	var out []forgery
	add := func(name, say string, change func(r *decision.Receipt)) {
		r := *good
		r.Proof = slices.Clone(good.Proof)
		change(&r)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, forgery{name, b, say})
	}
	flip := func(s string) string {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}
	add("altered record", "altered", func(r *decision.Receipt) {
		b, _ := base64.StdEncoding.DecodeString(r.Record)
		r.Record = base64.StdEncoding.EncodeToString(bytes.Replace(b, []byte(`"approve"`), []byte(`"deny"`), 1))
		if r.Record == good.Record {
			b = append(bytes.TrimSuffix(b, []byte("}")), []byte(`,"x":1}`)...)
			r.Record = base64.StdEncoding.EncodeToString(b)
		}
	})
	add("altered record hash", "does not match", func(r *decision.Receipt) { r.RecordHash = flip(r.RecordHash) })
	add("altered record hash without the record", "inclusion proof", func(r *decision.Receipt) {
		r.RecordHash, r.Record = flip(r.RecordHash), ""
	})
	add("another decision's record and hash", "inclusion proof", func(r *decision.Receipt) {
		r.Record, r.RecordHash = other.Record, other.RecordHash
	})
	add("altered proof", "inclusion proof", func(r *decision.Receipt) { r.Proof[0] = flip(r.Proof[0]) })
	add("altered last proof hash", "inclusion proof", func(r *decision.Receipt) { r.Proof[len(r.Proof)-1] = flip(r.Proof[len(r.Proof)-1]) })
	add("proof too short", "inclusion proof", func(r *decision.Receipt) { r.Proof = r.Proof[:len(r.Proof)-1] })
	add("proof too long", "inclusion proof", func(r *decision.Receipt) { r.Proof = append(r.Proof, r.Proof[0]) })
	add("proof reversed", "inclusion proof", func(r *decision.Receipt) { slices.Reverse(r.Proof) })
	add("no proof", "inclusion proof", func(r *decision.Receipt) { r.Proof = nil })
	add("proof not base64", "malformed inclusion_proof[0]", func(r *decision.Receipt) { r.Proof[0] = "%%%" })
	add("proof hash too short", "malformed inclusion_proof[1]", func(r *decision.Receipt) { r.Proof[1] = r.Proof[1][:20] })
	add("next index", "inclusion proof", func(r *decision.Receipt) { r.Index++ })
	add("previous index", "inclusion proof", func(r *decision.Receipt) { r.Index-- })
	add("negative index", "outside", func(r *decision.Receipt) { r.Index = -1 })
	add("index at tree size", "outside", func(r *decision.Receipt) { r.Index = r.TreeSize })
	add("larger tree size", "tree of", func(r *decision.Receipt) { r.TreeSize++ })
	add("smaller tree size", "tree of", func(r *decision.Receipt) { r.TreeSize-- })
	add("another log's record and hash", "not of the log", func(r *decision.Receipt) {
		r.Record, r.RecordHash = foreign.Record, foreign.RecordHash
	})
	add("another origin", "not the receipt's", func(r *decision.Receipt) { r.Origin = foreign.Origin })
	add("another log's checkpoint", "not the receipt's", func(r *decision.Receipt) { r.Checkpoint = foreign.Checkpoint })
	add("another log's checkpoint and origin", "not of the log", func(r *decision.Receipt) {
		r.Checkpoint, r.Origin = foreign.Checkpoint, foreign.Origin
		r.TreeSize = foreign.TreeSize
		r.Index = min(r.Index, r.TreeSize-1)
	})
	add("altered checkpoint", "signature", func(r *decision.Receipt) {
		r.Checkpoint = strings.Replace(r.Checkpoint, "\n"+itoa(r.TreeSize)+"\n", "\n"+itoa(r.TreeSize+1)+"\n", 1)
	})
	add("checkpoint without signature", "signature", func(r *decision.Receipt) {
		r.Checkpoint = r.Checkpoint[:strings.Index(r.Checkpoint, "\n\n")+2]
	})
	add("no checkpoint", "signature", func(r *decision.Receipt) { r.Checkpoint = "" })
	add("another format", "unsupported receipt format", func(r *decision.Receipt) { r.Format = "aims-decision-receipt/v2" })
	add("record hash not base64", "malformed record_hash", func(r *decision.Receipt) { r.RecordHash = "not base64!" })
	add("record not base64", "malformed record", func(r *decision.Receipt) { r.Record = "not base64!" })
	out = append(out, forgery{"not JSON", []byte("receipt"), "not a decision receipt"},
		forgery{"empty", nil, "not a decision receipt"}, forgery{"JSON null", []byte("null"), "format"},
		forgery{"empty object", []byte("{}"), "format"})
	return out
}

func itoa(n int64) string { return strings.TrimSpace(string(must(json.Marshal(n)))) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestReceipts checks that a good receipt verifies offline, that every
// forgery is refused, and that receipts stay valid after erasure and after
// the log grows.
func TestReceipts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("r", 40))
		recs := sample("q", 3)
		for i := range recs {
			recs[i].Model = "2.0.0"
		}
		e.record(t, e.other, recs)
		vs := e.verifiers(t)
		rc, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "r-7")
		if err != nil {
			t.Fatal(err)
		}
		good := must(json.Marshal(rc))
		v, err := decision.VerifyReceipt(good, vs)
		if err != nil {
			t.Fatal(err)
		}
		origin := tlog.Origin(tlog.KindDecision, e.org, e.sys.ID)
		if v.Index != 7 || v.TreeSize != 40 || v.Origin != origin || v.Record == nil || v.Record.ID != "r-7" ||
			!slices.Equal(v.Signers, []string{e.key.Signer.Name()}) {
			t.Fatalf("verified %+v", v)
		}
		// The documented JSON form.
		var form map[string]any
		if err := json.Unmarshal(good, &form); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"format", "origin", "system", "index", "record_hash", "record", "tree_size", "inclusion_proof", "checkpoint"} {
			if _, ok := form[k]; !ok {
				t.Errorf("the receipt has no %s: %s", k, good)
			}
		}
		if form["format"] != decision.ReceiptFormat || form["system"] != "SYS-1" || rc.Origin != origin {
			t.Errorf("receipt %s", good)
		}
		d7, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", "7")
		if err != nil {
			t.Fatal(err)
		}
		if hexOf(t, rc.RecordHash) != d7.RecordHash {
			t.Fatalf("the receipt's record hash %s is not the decision's %s", rc.RecordHash, d7.RecordHash)
		}
		// By index too, and the same.
		if byIndex, err := e.svc.Receipt(e.ctx, e.owner(), e.sys.ID, "7"); err != nil || !bytes.Equal(must(json.Marshal(byIndex)), good) {
			t.Fatalf("receipt by index differs: %v", err)
		}

		other, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-2", "q-1")
		if err != nil {
			t.Fatal(err)
		}
		next, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "r-8")
		if err != nil {
			t.Fatal(err)
		}
		wrongKey, err := tlog.LoadOrCreateKey(t.TempDir() + "/other")
		if err != nil {
			t.Fatal(err)
		}
		otherVs, err := tlog.Verifiers(wrongKey.VerifierKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decision.VerifyReceipt(good, otherVs); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("a receipt verified with another key: %v", err)
		}
		if _, err := decision.VerifyReceipt(good, note.VerifierList()); err == nil {
			t.Error("a receipt verified without any key")
		}
		for _, f := range forgeries(t, rc, next, other) {
			if _, err := decision.VerifyReceipt(f.data, vs); err == nil || !strings.Contains(err.Error(), f.say) {
				t.Errorf("%s: got %v, want an error saying %q", f.name, err, f.say)
			}
		}

		// The log grows: the old receipt still verifies, and a new one covers the larger tree.
		e.record(t, e.sys, sample("s", 300))
		if _, err := decision.VerifyReceipt(good, vs); err != nil {
			t.Fatalf("the old receipt no longer verifies: %v", err)
		}
		latest, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "s-299")
		if err != nil {
			t.Fatal(err)
		}
		if latest.TreeSize != 340 || latest.Index != 339 {
			t.Fatalf("receipt of the newest decision: index %d of %d", latest.Index, latest.TreeSize)
		}
		again, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "r-7")
		if err != nil {
			t.Fatal(err)
		}
		if again.TreeSize != 340 || again.RecordHash != rc.RecordHash || again.Record != rc.Record {
			t.Fatalf("re-fetched receipt: %+v", again)
		}
		if _, err := decision.VerifyReceipt(must(json.Marshal(again)), vs); err != nil {
			t.Fatal(err)
		}

		// Erasure: the receipt loses the record and still verifies, as does the old one.
		er, err := e.svc.EraseSubject(e.ctx, e.owner(), "SYS-1", decision.EraseRequest{Subject: "s-7", Reason: "request 12"})
		if err != nil || er.Erased == 0 {
			t.Fatal(er, err)
		}
		erased, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "r-7")
		if err != nil {
			t.Fatal(err)
		}
		if erased.Record != "" || erased.RecordHash != rc.RecordHash {
			t.Fatalf("receipt after erasure: %+v", erased)
		}
		v, err = decision.VerifyReceipt(must(json.Marshal(erased)), vs)
		if err != nil || v.Record != nil || v.Index != 7 {
			t.Fatalf("receipt after erasure: %+v %v", v, err)
		}
		for _, b := range [][]byte{good, must(json.Marshal(again))} {
			if _, err := decision.VerifyReceipt(b, vs); err != nil {
				t.Fatalf("a receipt from before the erasure no longer verifies: %v", err)
			}
		}

		// Unknown decisions and systems without a log have no receipt.
		_, err = e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "nobody")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_, err = e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", "340")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		third := e.system(t, "Empty")
		_, err = e.svc.Receipt(e.ctx, e.auditor(), third.Ref, "0")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		e.verifyAll(t)
	})
}

// hexOf turns a base64 hash into hexadecimal.
func hexOf(t testing.TB, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}
