package decision_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestRecordIndexesAndDuplicates checks that indexes are dense and in the
// order sent, and that an id seen before, in the batch or in an earlier one,
// is answered with the earlier index and stored once.
func TestRecordIndexesAndDuplicates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var size int64
		for b, n := range []int{1, 3, 255, 1, 300} {
			res := e.record(t, e.sys, sample(fmt.Sprintf("b%d", b), n))
			for i, x := range indexes(res) {
				if x != size+int64(i) || res.Results[i].Duplicate || res.Results[i].Position != i {
					t.Fatalf("batch %d record %d: %+v, want index %d", b, i, res.Results[i], size+int64(i))
				}
			}
			size += int64(n)
			if res.Size != size || res.Accepted != n || res.Duplicates != 0 || res.Rejected != 0 || res.System != "SYS-1" {
				t.Fatalf("batch %d: %+v", b, res)
			}
		}

		// Within one batch: the first of an id stands for the others.
		recs := sample("w", 4)
		again := recs[1]
		again.Output.Label = "changed" // a retry never replaces what was stored
		recs = append(recs, recs[0], again)
		res := e.record(t, e.sys, recs)
		want := []int64{size, size + 1, size + 2, size + 3, size, size + 1}
		if diff := cmp.Diff(want, indexes(res)); diff != "" {
			t.Fatalf("indexes (-want +got):\n%s", diff)
		}
		if res.Accepted != 4 || res.Duplicates != 2 || res.Size != size+4 || !res.Results[4].Duplicate || !res.Results[5].Duplicate || res.Results[3].Duplicate {
			t.Fatalf("%+v", res)
		}
		d1, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", "w-1")
		if err != nil {
			t.Fatal(err)
		}
		if d1.Index != size+1 || d1.OutputLabel != recs[1].Output.Label || d1.Record.Output.Label != recs[1].Output.Label {
			t.Fatalf("the later duplicate replaced the record: %+v", d1.Summary)
		}
		size += 4

		// Across batches, mixed with new ids: the new ones take the next indexes.
		mixed := []decision.Record{sample("b4", 300)[299], sample("x", 1)[0], sample("b0", 1)[0], sample("w", 2)[1], sample("x", 2)[1]}
		mixed[1].ID, mixed[4].ID = "x-new-1", "x-new-2"
		res = e.record(t, e.sys, mixed)
		want = []int64{559, size, 0, size - 3, size + 1}
		if diff := cmp.Diff(want, indexes(res)); diff != "" {
			t.Fatalf("indexes (-want +got):\n%s", diff)
		}
		if res.Accepted != 2 || res.Duplicates != 3 || res.Size != size+2 {
			t.Fatalf("%+v", res)
		}
		size += 2
		// A batch of nothing but known ids stores nothing.
		res = e.record(t, e.sys, sample("b2", 255))
		if res.Accepted != 0 || res.Duplicates != 255 || res.Size != size || indexes(res)[254] != 4+254 {
			t.Fatalf("%+v", res.Size)
		}

		no := e.logNo(t, e.sys)
		if n := e.count(t, `SELECT count(*) FROM decisions WHERE log_no = ?`, no); int64(n) != size {
			t.Fatalf("%d decision rows, want %d", n, size)
		}
		if n := e.count(t, `SELECT count(DISTINCT client_id) FROM decisions WHERE log_no = ?`, no); int64(n) != size {
			t.Fatalf("%d distinct ids, want %d", n, size)
		}
		if n := e.count(t, `SELECT count(*) FROM decisions WHERE log_no = ? AND idx >= 0 AND idx < ?`, no, size); int64(n) != size {
			t.Fatalf("indexes are not dense: %d in [0, %d)", n, size)
		}
		if l := e.logOf(t, e.sys); l.Size != size || l.RetentionDays != decision.DefaultRetentionDays {
			t.Fatalf("%+v", l)
		}
		// The log was created once, with one audit event.
		if got := strings.Count(strings.Join(servicetest.Actions(t, e.ctx, d, e.org), " "), "decision_log.create"); got != 1 {
			t.Fatalf("%d decision_log.create events", got)
		}
		reps := e.verifyAll(t)
		if r := reps["decision/"+e.sys.ID]; r == nil || r.Size != size || r.Entries != size {
			t.Fatalf("decision log report %+v", r)
		}
	})
}

// TestRecordStoresCanonicalRecord checks what a record's canonical bytes say
// and that the log's hash is their SHA-256, with sensitive attributes stored
// apart and committed to by their salted hash.
func TestRecordStoresCanonicalRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		at := time.Date(2026, 3, 2, 11, 30, 0, 123456789, time.FixedZone("CEST", 2*3600))
		reviewed := at.Add(time.Hour)
		in := decision.Record{ID: "loan-17", Time: at, Model: "MDL-1@1.1.0",
			Inputs:     json.RawMessage(`{ "b": 2, "a": {"y": 1, "x": "é<&>"}, "c": [3, 1.50] }`),
			InputsHash: strings.Repeat("AB", 32), Output: decision.Output{Label: "deny", Score: ptr(0.25)}, Confidence: ptr(0.875),
			Explanation: &decision.Explanation{Method: "SHAP", Attributions: []decision.Attribution{{Feature: "income", Value: -0.5}},
				ReasonCodes: []string{"R07", "R01"}, Text: "Income below the threshold"},
			Sensitive: map[string]string{"sex": "female", "age_band": "25-34"}, Subject: "person-4711",
			Review: &decision.Review{Reviewer: "analyst-7", Result: decision.ReviewOverridden, Final: "approve", Reason: "payslips", Time: &reviewed}}
		res := e.record(t, e.sys, []decision.Record{in})
		if *res.Results[0].Index != 0 {
			t.Fatalf("%+v", res)
		}
		got, err := e.svc.Get(e.ctx, e.manager(), "SYS-1", "loan-17")
		if err != nil {
			t.Fatal(err)
		}
		var payload, salt []byte
		var attrs string
		if err := d.QueryRowContext(e.ctx, `SELECT payload FROM decisions WHERE client_id = 'loan-17'`).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRowContext(e.ctx, `SELECT salt, attributes FROM decision_attributes`).Scan(&salt, &attrs); err != nil {
			t.Fatal(err)
		}
		if attrs != `{"age_band":"25-34","sex":"female"}` || len(salt) != 16 {
			t.Fatalf("attributes %s, salt %x", attrs, salt)
		}
		sum := sha256.Sum256(payload)
		if got.RecordHash != hex.EncodeToString(sum[:]) {
			t.Fatalf("record hash %s, SHA-256 of the payload %x", got.RecordHash, sum)
		}
		if strings.Contains(string(payload), "female") || strings.Contains(string(payload), "age_band") {
			t.Fatalf("sensitive attributes inside the record: %s", payload)
		}
		wantTime := time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)
		want := &decision.Stored{V: 1, System: e.sys.ID, ID: "loan-17", Time: wantTime,
			Model:      decision.StoredModel{ID: "mv-2", Key: "MDL-1@1.1.0"},
			InputsHash: strings.Repeat("ab", 32), Output: in.Output, Confidence: in.Confidence, Explanation: in.Explanation,
			Subject: "person-4711", Review: &decision.Review{Reviewer: "analyst-7", Result: decision.ReviewOverridden, Final: "approve",
				Reason: "payslips", Time: ptr(reviewed.UTC().Truncate(time.Microsecond))},
			Sensitive: decision.AttributesCommitment(salt, []byte(attrs))}
		// Inputs are kept as the client sent them, compacted: the same features.
		var sentIn, gotIn any
		if err := json.Unmarshal(in.Inputs, &sentIn); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got.Record.Inputs, &gotIn); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sentIn, gotIn); diff != "" {
			t.Fatalf("stored inputs (-sent +stored):\n%s", diff)
		}
		want.Inputs = got.Record.Inputs
		var compact bytes.Buffer
		if err := json.Compact(&compact, payload); err != nil || compact.String() != string(payload) {
			t.Fatalf("the canonical record is not compact JSON (%v): %s", err, payload)
		}
		if diff := cmp.Diff(want, got.Record); diff != "" {
			t.Fatalf("stored record (-want +got):\n%s\n%s", diff, payload)
		}
		if !strings.Contains(string(payload), `"time":"2026-03-02T09:30:00.123456Z"`) {
			t.Fatalf("canonical time: %s", payload)
		}
		parsed, err := decision.ParseRecord(payload)
		if err != nil || parsed.ID != "loan-17" {
			t.Fatal(parsed, err)
		}
		sum2 := got.Summary
		if sum2.Index != 0 || sum2.ID != "loan-17" || !sum2.Time.Equal(wantTime) || !sum2.ReceivedAt.Equal(servicetest.T0) ||
			sum2.ModelID != "mv-2" || sum2.ModelKey != "MDL-1@1.1.0" || sum2.OutputLabel != "deny" || *sum2.OutputScore != 0.25 ||
			*sum2.Confidence != 0.875 || sum2.Review != decision.ReviewOverridden || sum2.Subject != "person-4711" || sum2.Erased ||
			!got.Sensitive || got.System != "SYS-1" || len(got.Outcomes) != 0 {
			t.Fatalf("summary %+v", got)
		}
		// The model version may be named by id, key or label; the record names it by id and key.
		for ref, id := range map[string]string{"mv-1": "mv-1", "MDL-1@1.0.0": "mv-1", "1.1.0": "mv-2"} {
			r := sample("m-"+ref, 1)[0]
			r.Model = ref
			e.record(t, e.sys, []decision.Record{r})
			g, err := e.svc.Get(e.ctx, e.owner(), "SYS-1", r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if g.Record.Model.ID != id || g.ModelID != id {
				t.Fatalf("%s resolved to %+v", ref, g.Record.Model)
			}
		}
		// ParseRecord refuses what is not a record of this version.
		for _, b := range []string{`{"v":2,"id":"x"}`, `not json`, `{"id":"x"}`} {
			if _, err := decision.ParseRecord([]byte(b)); err == nil {
				t.Errorf("ParseRecord(%s) accepted it", b)
			}
		}
		e.verifyAll(t)
	})
}

// valid is a record every rule accepts.
func valid(id string) decision.Record {
	r := sample(id, 1)[0]
	r.ID = id
	r.Review = &decision.Review{Reviewer: "analyst-7", Result: decision.ReviewAgreed}
	return r
}

// TestRecordValidation gives every rule a record that breaks it, third in a
// batch: the whole batch is refused, naming the field, and nothing changes.
func TestRecordValidation(t *testing.T) {
	long := strings.Repeat("x", 201)
	notUTF8 := string([]byte{'a', 0xff, 0xfe})
	nan, inf := math.NaN(), math.Inf(1)
	many := func(n int) []decision.Attribution {
		out := make([]decision.Attribution, n)
		for i := range out {
			out[i] = decision.Attribution{Feature: fmt.Sprintf("f%d", i), Value: 0.1}
		}
		return out
	}
	codes := func(n int) []string { return strings.Split(strings.Repeat("R,", n-1)+"R", ",") }
	attrs := func(n int) map[string]string {
		out := map[string]string{}
		for i := range n {
			out[fmt.Sprintf("a%d", i)] = "v"
		}
		return out
	}
	big := json.RawMessage(`{"a":"` + strings.Repeat("x", 64<<10) + `"}`)
	type change func(r *decision.Record)
	cases := []struct {
		name   string
		change change
		fields []string
	}{
		{"id missing", func(r *decision.Record) { r.ID = "" }, []string{"id"}},
		{"id blank", func(r *decision.Record) { r.ID = "  " }, []string{"id"}},
		{"id too long", func(r *decision.Record) { r.ID = long }, []string{"id"}},
		{"id not UTF-8", func(r *decision.Record) { r.ID = notUTF8 }, []string{"id"}},
		{"time missing", func(r *decision.Record) { r.Time = time.Time{} }, []string{"time"}},
		{"time before 1970", func(r *decision.Record) { r.Time = time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC) }, []string{"time"}},
		{"time after 9999", func(r *decision.Record) { r.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, []string{"time"}},
		{"model missing", func(r *decision.Record) { r.Model = " " }, []string{"model"}},
		{"model too long", func(r *decision.Record) { r.Model = long }, []string{"model"}},
		{"model unknown", func(r *decision.Record) { r.Model = "9.9.9" }, []string{"model"}},
		{"model of another system", func(r *decision.Record) { r.Model = "mv-9" }, []string{"model"}},
		{"inputs too large", func(r *decision.Record) { r.Inputs = big }, []string{"inputs"}},
		{"inputs not JSON", func(r *decision.Record) { r.Inputs = json.RawMessage(`{"a":`) }, []string{"inputs"}},
		{"inputs an array", func(r *decision.Record) { r.Inputs = json.RawMessage(`[1, 2]`) }, []string{"inputs"}},
		{"inputs a string", func(r *decision.Record) { r.Inputs = json.RawMessage(`"x"`) }, []string{"inputs"}},
		{"inputs_hash not hex", func(r *decision.Record) { r.InputsHash = strings.Repeat("zz", 32) }, []string{"inputs_hash"}},
		{"inputs_hash too short", func(r *decision.Record) { r.InputsHash = strings.Repeat("ab", 31) }, []string{"inputs_hash"}},
		{"output label too long", func(r *decision.Record) { r.Output.Label = long }, []string{"output.label"}},
		{"output label not UTF-8", func(r *decision.Record) { r.Output.Label = notUTF8 }, []string{"output.label"}},
		{"output score NaN", func(r *decision.Record) { r.Output.Score = &nan }, []string{"output.score"}},
		{"output score infinite", func(r *decision.Record) { r.Output.Score = &inf }, []string{"output.score"}},
		{"no output", func(r *decision.Record) { r.Output = decision.Output{} }, []string{"output"}},
		{"confidence NaN", func(r *decision.Record) { r.Confidence = &nan }, []string{"confidence"}},
		{"confidence above 1", func(r *decision.Record) { r.Confidence = ptr(1.001) }, []string{"confidence"}},
		{"confidence below 0", func(r *decision.Record) { r.Confidence = ptr(-0.001) }, []string{"confidence"}},
		{"method too long", func(r *decision.Record) { r.Explanation.Method = long }, []string{"explanation.method"}},
		{"too many attributions", func(r *decision.Record) { r.Explanation.Attributions = many(1001) }, []string{"explanation.attributions"}},
		{"attribution without feature", func(r *decision.Record) { r.Explanation.Attributions[1].Feature = "" },
			[]string{"explanation.attributions[1].feature"}},
		{"attribution feature too long", func(r *decision.Record) { r.Explanation.Attributions[0].Feature = long },
			[]string{"explanation.attributions[0].feature"}},
		{"attribution value NaN", func(r *decision.Record) { r.Explanation.Attributions[0].Value = nan },
			[]string{"explanation.attributions[0].value"}},
		{"attribution value infinite", func(r *decision.Record) { r.Explanation.Attributions[1].Value = -inf },
			[]string{"explanation.attributions[1].value"}},
		{"too many reason codes", func(r *decision.Record) { r.Explanation.ReasonCodes = codes(101) }, []string{"explanation.reason_codes"}},
		{"blank reason code", func(r *decision.Record) { r.Explanation.ReasonCodes = []string{"R01", " "} }, []string{"explanation.reason_codes[1]"}},
		{"text too long", func(r *decision.Record) { r.Explanation.Text = strings.Repeat("x", 10001) }, []string{"explanation.text"}},
		{"text not UTF-8", func(r *decision.Record) { r.Explanation.Text = notUTF8 }, []string{"explanation.text"}},
		{"too many sensitive attributes", func(r *decision.Record) { r.Sensitive = attrs(51) }, []string{"sensitive"}},
		{"blank sensitive attribute name", func(r *decision.Record) { r.Sensitive = map[string]string{" ": "x"} }, []string{"sensitive"}},
		{"sensitive attribute name too long", func(r *decision.Record) { r.Sensitive = map[string]string{long: "x"} },
			[]string{"sensitive"}},
		{"sensitive value too long", func(r *decision.Record) { r.Sensitive = map[string]string{"sex": long} }, []string{"sensitive.sex"}},
		{"subject too long", func(r *decision.Record) { r.Subject = long }, []string{"subject"}},
		{"reviewer missing", func(r *decision.Record) { r.Review.Reviewer = "" }, []string{"review.reviewer"}},
		{"review result unknown", func(r *decision.Record) { r.Review.Result = "maybe" }, []string{"review.result"}},
		{"review result missing", func(r *decision.Record) { r.Review.Result = "" }, []string{"review.result"}},
		{"override without final decision", func(r *decision.Record) { r.Review.Result = decision.ReviewOverridden }, []string{"review.final"}},
		{"final decision too long", func(r *decision.Record) { r.Review.Final = long }, []string{"review.final"}},
		{"review reason too long", func(r *decision.Record) { r.Review.Reason = strings.Repeat("x", 10001) }, []string{"review.reason"}},
		{"several at once", func(r *decision.Record) { r.ID, r.Time, r.Output = "", time.Time{}, decision.Output{} },
			[]string{"id", "output", "time"}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("seed", 5))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				bad := valid("bad")
				c.change(&bad)
				batch := []decision.Record{valid("ok-1"), valid("ok-2"), bad}
				var fields []string
				for _, f := range c.fields {
					fields = append(fields, "[2]."+f)
				}
				servicetest.Unchanged(t, d, func() {
					_, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", batch, decision.RecordOptions{})
					servicetest.WantFields(t, err, aims.CodeInvalid, fields...)
					if ae := servicetest.WantCode(t, err, aims.CodeInvalid); ae.Message != "1 of 3 decision records are invalid; none was stored" {
						t.Errorf("message %q", ae.Message)
					}
				})
			})
		}
		// Values at the limits are accepted.
		edge := valid("edge-" + strings.Repeat("i", 195))
		edge.Time = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		edge.Inputs = json.RawMessage(`{"a":"` + strings.Repeat("x", 64<<10-8) + `"}`)
		edge.InputsHash = strings.Repeat("AB", 32)
		edge.Output = decision.Output{Score: ptr(-3.5)}
		edge.Confidence = ptr(1.0)
		edge.Explanation = &decision.Explanation{Method: strings.Repeat("m", 200), Attributions: many(1000), ReasonCodes: codes(100),
			Text: strings.Repeat("t", 10000)}
		edge.Sensitive = attrs(50)
		edge.Subject = strings.Repeat("s", 200)
		edge.Review = &decision.Review{Reviewer: "r", Result: decision.ReviewOverridden, Final: strings.Repeat("f", 200),
			Reason: strings.Repeat("r", 10000)}
		zero := valid("zero")
		zero.Confidence = ptr(0.0)
		// A null inputs is taken as no inputs.
		zero.Explanation, zero.Review, zero.Sensitive, zero.Inputs, zero.Subject = nil, nil, nil, json.RawMessage(" null "), ""
		zero.Output = decision.Output{Label: "approve"}
		if len(edge.Inputs) != 64<<10 {
			t.Fatalf("edge inputs of %d bytes", len(edge.Inputs))
		}
		res := e.record(t, e.sys, []decision.Record{edge, zero})
		if res.Accepted != 2 {
			t.Fatalf("%+v", res)
		}
		if got, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", "zero"); err != nil || got.Record.Inputs != nil {
			t.Fatalf("a null inputs was stored as %q (%v)", got.Record.Inputs, err)
		}
		// Every bad record is named by its position, along with the unknown model.
		recs := []decision.Record{valid("p0"), valid("p1"), valid("p2"), valid("p3"), valid("p4")}
		recs[0].ID = ""
		recs[2].Model = "7.7.7"
		recs[3].Time, recs[3].Output = time.Time{}, decision.Output{}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", recs, decision.RecordOptions{})
			servicetest.WantFields(t, err, aims.CodeInvalid, "[0].id", "[2].model", "[3].output", "[3].time")
			if ae := servicetest.WantCode(t, err, aims.CodeInvalid); !strings.HasPrefix(ae.Message, "3 of 5 decision records are invalid") {
				t.Errorf("message %q", ae.Message)
			}
			_, err = e.svc.Record(e.ctx, e.contributor(), "SYS-1", nil, decision.RecordOptions{})
			servicetest.WantCode(t, err, aims.CodeInvalid)
		})
	})
}

// TestRecordPartial stores the good records of a batch with bad ones and
// reports the bad ones by position.
func TestRecordPartial(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("old", 10))
		recs := []decision.Record{valid("a"), valid("b"), valid("c"), valid("a"), valid("d"), sample("old", 4)[3], valid("e")}
		recs[1].Time = time.Time{}
		recs[4].Model = "mv-9"
		recs[6].Confidence = ptr(2.0)
		res, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", recs, decision.RecordOptions{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{10, -1, 11, 10, -1, 3, -1}, indexes(res)); diff != "" {
			t.Fatalf("indexes (-want +got):\n%s", diff)
		}
		if res.Accepted != 2 || res.Duplicates != 2 || res.Rejected != 3 || res.Size != 12 {
			t.Fatalf("%+v", res)
		}
		wantErrs := map[int]string{1: "[1].time", 4: "[4].model", 6: "[6].confidence"}
		for i, r := range res.Results {
			if f, bad := wantErrs[i]; bad != (len(r.Errors) > 0) || bad && (len(r.Errors) != 1 || r.Errors[0].Field != f) {
				t.Errorf("result %d: %+v", i, r)
			}
			if r.ID != recs[i].ID || r.Position != i {
				t.Errorf("result %d names %q at %d", i, r.ID, r.Position)
			}
		}
		if n := e.count(t, `SELECT count(*) FROM decisions`); n != 12 {
			t.Fatalf("%d rows", n)
		}
		for _, id := range []string{"b", "d", "e"} {
			_, err := e.svc.Get(e.ctx, e.owner(), "SYS-1", id)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		}
		// A partial batch of nothing but bad records stores nothing and is no error.
		servicetest.Unchanged(t, d, func() {
			res, err = e.svc.Record(e.ctx, e.contributor(), "SYS-1", recs[1:2], decision.RecordOptions{Partial: true})
			if err != nil || res.Rejected != 1 || res.Accepted != 0 || res.Size != 12 || res.Results[0].Index != nil {
				t.Fatalf("%+v %v", res, err)
			}
		})
		e.verifyAll(t)
	})
}

// TestRecordLimits refuses batches beyond the configured number of records.
func TestRecordLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if e.svc.Limits != decision.DefaultLimits || decision.DefaultLimits.Records != 10000 || decision.DefaultLimits.Bytes != 32<<20 {
			t.Fatalf("default limits %+v", e.svc.Limits)
		}
		svc := decision.New(d, e.logs, e.clock.Now, systems{e.systems}, e.models, decision.Limits{Records: 5})
		if svc.Limits.Records != 5 || svc.Limits.Bytes != 32<<20 {
			t.Fatalf("limits %+v", svc.Limits)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := svc.Record(e.ctx, e.contributor(), "SYS-1", sample("a", 6), decision.RecordOptions{Partial: true})
			servicetest.WantFields(t, err, aims.CodeInvalid, "records")
		})
		res, err := svc.Record(e.ctx, e.contributor(), "SYS-1", sample("a", 5), decision.RecordOptions{})
		if err != nil || res.Accepted != 5 {
			t.Fatal(res, err)
		}
		outs := make([]decision.OutcomeInput, 6)
		for i := range outs {
			outs[i] = decision.OutcomeInput{Index: ptr(int64(i % 5)), Label: "repaid", Time: servicetest.T0}
		}
		servicetest.Unchanged(t, d, func() {
			_, err := svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", outs)
			servicetest.WantFields(t, err, aims.CodeInvalid, "outcomes")
		})
		if r, err := svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", outs[:5]); err != nil || r.Accepted != 5 {
			t.Fatal(r, err)
		}
	})
}

// TestRecordConcurrently records from several goroutines into a system
// without a log yet: one log is created and indexes stay dense and unique.
func TestRecordConcurrently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		const workers, batches, per = 4, 5, 150
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		errs := make(chan error, workers*batches)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range batches {
					recs := sample(fmt.Sprintf("w%d-%d", w, b), per)
					for i := range recs {
						recs[i].Model = "2.0.0"
					}
					res, err := e.svc.Record(e.ctx, e.contributor(), e.other.Ref, recs, decision.RecordOptions{})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					for i, x := range indexes(res) {
						if prev, dup := seen[x]; dup {
							errs <- fmt.Errorf("index %d given to %s and %s", x, prev, recs[i].ID)
						}
						seen[x] = recs[i].ID
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		const total = workers * batches * per
		if len(seen) != total {
			t.Fatalf("%d indexes for %d records", len(seen), total)
		}
		for i := range int64(total) {
			if _, ok := seen[i]; !ok {
				t.Fatalf("index %d was never given", i)
			}
		}
		stored := servicetest.RowsOf(t, d, `SELECT idx, client_id FROM decisions WHERE log_no = ?`, e.logNo(t, e.other))
		var want []string
		for x, id := range seen {
			want = append(want, fmt.Sprintf("idx=%d client_id=%s", x, id))
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, stored); diff != "" {
			t.Fatalf("stored rows (-answered +stored):\n%s", diff)
		}
		if n := e.count(t, `SELECT count(*) FROM decision_logs`); n != 1 {
			t.Fatalf("%d decision logs", n)
		}
		if got := strings.Count(strings.Join(servicetest.Actions(t, e.ctx, d, e.org), " "), "decision_log.create"); got != 1 {
			t.Fatalf("%d decision_log.create events", got)
		}
		if r := e.verifyAll(t)["decision/"+e.other.ID]; r.Size != total {
			t.Fatalf("%+v", r)
		}
	})
}

// TestRecordTimesAtTheEdgesOfTheCanonicalForm sends times that are valid
// RFC 3339 but fall outside years 0000 to 9999 in UTC, where the canonical
// record's time cannot be read back: each must be refused, naming the field,
// or be stored so that the decision reads back and the log verifies.
func TestRecordTimesAtTheEdgesOfTheCanonicalForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		late := time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("W", -5*3600))
		cases := map[string]func(r *decision.Record){
			"decision time": func(r *decision.Record) { r.Time = late },
			"review time":   func(r *decision.Record) { r.Review.Time = &late },
			"review time before year 0": func(r *decision.Record) {
				r.Review.Time = ptr(time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC))
			},
		}
		for name, change := range cases {
			r := valid(strings.ReplaceAll(name, " ", "-"))
			change(&r)
			if _, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", []decision.Record{r}, decision.RecordOptions{}); err != nil {
				servicetest.WantCode(t, err, aims.CodeInvalid)
				continue
			}
			if _, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", r.ID); err != nil {
				t.Errorf("%s: stored, but cannot be read: %v", name, err)
			}
		}
		if _, err := e.svc.List(e.ctx, e.auditor(), "SYS-1", decision.Query{}); err != nil {
			t.Errorf("the system's decisions cannot be listed: %v", err)
		}
		// An outcome observed then.
		e.record(t, e.sys, []decision.Record{valid("with-outcome")})
		_, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", []decision.OutcomeInput{{Decision: "with-outcome", Label: "x", Time: late}})
		if err != nil {
			servicetest.WantFields(t, err, aims.CodeInvalid, "[0].time")
		} else if _, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", "with-outcome"); err != nil {
			t.Errorf("outcome stored, but its decision cannot be read: %v", err)
		}
		e.verifyAll(t)
	})
}

// TestRecordResentLargeBatch resends batches of several encoding chunks that
// the log holds wholly or in their first part, as a client does after its
// connection broke before the answer: each record is stored once, the
// stored ones answered with their earlier indexes.
func TestRecordResentLargeBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("big", 5000)[:3000])
		res, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", sample("big", 5000), decision.RecordOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 2000 || res.Duplicates != 3000 || res.Size != 5000 {
			t.Fatalf("accepted %d, duplicates %d, size %d; want 2000, 3000, 5000", res.Accepted, res.Duplicates, res.Size)
		}
		if got := *res.Results[2999].Index; got != 2999 {
			t.Errorf("a record sent before has index %d, want 2999", got)
		}
		if got := *res.Results[3000].Index; got != 3000 {
			t.Errorf("the first new record has index %d, want 3000", got)
		}
		res, err = e.svc.Record(e.ctx, e.contributor(), "SYS-1", sample("big", 5000), decision.RecordOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 0 || res.Duplicates != 5000 || res.Size != 5000 {
			t.Fatalf("resent whole: accepted %d, duplicates %d, size %d; want 0, 5000, 5000", res.Accepted, res.Duplicates, res.Size)
		}
		e.verifyAll(t)
	})
}
