package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const ndjson = "application/x-ndjson"

// dstep is a step whose body may be sent with its own content type.
type dstep struct {
	step
	ctype string   // application/json when empty
	lacks []string // substrings the answer must not hold
}

// runTyped runs steps as world.run does, with each step's content type.
func (w *world) runTyped(t *testing.T, steps []dstep) {
	t.Helper()
	for _, s := range steps {
		before := len(w.Actions(w.Org.ID))
		ctype := s.ctype
		if ctype == "" {
			ctype = "application/json"
		}
		var body io.Reader
		if s.body != "" {
			body = strings.NewReader(s.body)
		}
		r := w.send(t, s.who, s.method, s.path, ctype, body)
		if r.status != s.status {
			t.Errorf("%s: %s %s as %s = %d, want %d\n%s", s.name, s.method, s.path, s.who, r.status, s.status, r.body)
			continue
		}
		for _, h := range s.has {
			if !bytes.Contains(r.body, []byte(h)) {
				t.Errorf("%s: answer lacks %q:\n%s", s.name, h, r.body)
			}
		}
		for _, h := range s.lacks {
			if bytes.Contains(r.body, []byte(h)) {
				t.Errorf("%s: answer holds %q:\n%s", s.name, h, r.body)
			}
		}
		if s.fields != nil {
			if diff := cmp.Diff(s.fields, locations(t, r), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("%s: error locations (-want +got):\n%s", s.name, diff)
			}
		}
		if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: error answered with %s, want application/problem+json", s.name, r.header.Get("Content-Type"))
		}
		if diff := cmp.Diff(s.actions, w.Actions(w.Org.ID)[before:], cmpEmpty); diff != "" {
			t.Errorf("%s: audit actions (-want +got):\n%s", s.name, diff)
		}
	}
}

// sampleRecords makes decision records from, from+1, … to-1 that differ in
// model version, output, subject and human review.
func sampleRecords(from, to int) []decision.Record {
	var out []decision.Record
	for i := from; i < to; i++ {
		score := float64(i) / 20
		conf := 0.5 + float64(i%5)/10
		r := decision.Record{ID: fmt.Sprintf("d-%d", i), Time: time.Date(2026, 3, 1, 9, i, 0, 0, time.UTC), Model: "1.4.0",
			Inputs: json.RawMessage(fmt.Sprintf(`{"income":%d,"age":%d}`, 1000*i, 20+i)), Output: decision.Output{Label: "approve", Score: &score},
			Confidence: &conf, Subject: fmt.Sprintf("subj-%d", i%3),
			Explanation: &decision.Explanation{Method: "SHAP", Attributions: []decision.Attribution{{Feature: "income", Value: 0.3}, {Feature: "age", Value: -0.1}},
				ReasonCodes: []string{"R1"}, Text: "Income is high."}}
		if i%3 == 2 {
			r.Model = "MDL-1@2.0.0"
		}
		if i%2 == 1 {
			r.Output.Label = "deny"
		}
		switch i % 4 {
		case 1:
			r.Review = &decision.Review{Reviewer: "rita@acme.example", Result: decision.ReviewAgreed}
		case 3:
			r.Review = &decision.Review{Reviewer: "rita@acme.example", Result: decision.ReviewOverridden, Final: "approve", Reason: "Income verified by phone."}
		}
		if i%5 == 0 {
			r.Sensitive = map[string]string{"sex": "female", "age_band": "30-39"}
		}
		out = append(out, r)
	}
	return out
}

func asArray(t *testing.T, recs any) string {
	t.Helper()
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func asLines(t *testing.T, recs []decision.Record) string {
	t.Helper()
	var sb strings.Builder
	for _, r := range recs {
		sb.WriteString(asArray(t, r))
		sb.WriteString("\n")
	}
	return sb.String()
}

// modelKey is the key a sample record's model version is stored under.
func modelKey(r decision.Record) string {
	if strings.Contains(r.Model, "@") {
		return r.Model
	}
	return "MDL-1@" + r.Model
}

// decisionSetup makes two systems, SYS-1 with model MDL-1 at versions 1.4.0
// and 2.0.0, SYS-2 with MDL-2 at 1.0.
func decisionSetup(t *testing.T, w *world) {
	t.Helper()
	for _, c := range []struct{ path, body string }{
		{"/api/v1/systems", validSystem},
		{"/api/v1/systems", `{"name":"Chat assistant","intended_purpose":"Answer customer questions"}`},
		{"/api/v1/models", `{"system":"SYS-1","name":"Scorer"}`},
		{"/api/v1/models/MDL-1/versions", `{"label":"1.4.0","digest":"` + modelDigest + `"}`},
		{"/api/v1/models/MDL-1/versions", `{"label":"2.0.0","digest":"` + modelDigest + `"}`},
		{"/api/v1/models", `{"system":"SYS-2","name":"Chatter"}`},
		{"/api/v1/models/MDL-2/versions", `{"label":"1.0","digest":"` + modelDigest + `"}`},
	} {
		if r := w.call(t, "owner", "POST", c.path, c.body); r.status != 201 {
			t.Fatalf("POST %s = %d %s", c.path, r.status, r.body)
		}
	}
}

// TestDecisionEndpoints records decisions as JSON and as NDJSON, with
// duplicates, bad records and partial batches, reads, proves and erases
// them, as each kind of caller, checking the answers against what was sent.
func TestDecisionEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		decisionSetup(t, w)
		const ingest = "/api/v1/systems/SYS-1/decisions"
		first := asArray(t, sampleRecords(0, 6))
		second := asLines(t, sampleRecords(6, 12))
		stored := sampleRecords(0, 12)

		dup := append(sampleRecords(4, 6), sampleRecords(12, 13)...)
		bad := sampleRecords(20, 23)
		bad[1].Time = time.Time{}
		c := 2.0
		bad[2].Confidence = &c
		partial := sampleRecords(13, 16)
		partial[1].Time = time.Time{}
		partial[1].ID = "d-bad"
		foreignModel := sampleRecords(30, 31)
		foreignModel[0].Model = "MDL-2@1.0"
		brokenLines := asLines(t, sampleRecords(40, 41)) + `{"id":"d-41","time":` + "\n\n" + asLines(t, sampleRecords(42, 43))
		wrongType := strings.Replace(asArray(t, sampleRecords(50, 51)), `"score":2.5`, `"score":"high"`, 1)
		badTime := strings.Replace(asLines(t, sampleRecords(50, 51)), `"time":"2026-03-01T09:50:00Z"`, `"time":"yesterday"`, 1)
		// In a large batch, decoded on several cores, the first bad line is named.
		many := strings.Split(strings.TrimSuffix(asLines(t, sampleRecords(100, 700)), "\n"), "\n")
		many[550] = `{"id":"d-650","time":"x"`
		many[301] = `{"id":"d-401","output":{"score":"x"}}`
		manyLines := strings.Join(many, "\n")
		unknownField := strings.Replace(asArray(t, sampleRecords(50, 51)), `"id":"d-50"`, `"id":"d-50","colour":"red"`, 1)

		w.runTyped(t, []dstep{
			{step: step{name: "anonymous", who: "none", method: "POST", path: ingest, body: first, status: 401}},
			{step: step{name: "viewer ingests", who: "viewer", method: "POST", path: ingest, body: first, status: 403}},
			{step: step{name: "auditor ingests", who: "auditor", method: "POST", path: ingest, body: first, status: 403}},
			{step: step{name: "another organisation", who: "globex", method: "POST", path: ingest, body: first, status: 404}},
			{step: step{name: "unknown system", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-9/decisions", body: first, status: 404}},
			{step: step{name: "viewer lists before any", who: "viewer", method: "GET", path: ingest, status: 403}},
			{step: step{name: "empty log", who: "auditor", method: "GET", path: ingest, status: 200, has: []string{`"size":0`, `"items":[]`}}},

			{step: step{name: "JSON array", who: "contributor", method: "POST", path: ingest, body: first, status: 200,
				has: []string{`"system":"SYS-1"`, `"size":6`, `"accepted":6`, `"duplicates":0`, `"rejected":0`,
					`{"position":0,"id":"d-0","index":0}`, `{"position":5,"id":"d-5","index":5}`},
				actions: []string{"decision_log.create"}}},
			{step: step{name: "NDJSON", who: "manager", method: "POST", path: "/api/v1/systems/sys-1/decisions", body: second, status: 200,
				has: []string{`"size":12`, `"accepted":6`, `{"position":0,"id":"d-6","index":6}`, `{"position":5,"id":"d-11","index":11}`}},
				ctype: ndjson + "; charset=utf-8"},
			{step: step{name: "duplicates answered with the earlier index", who: "owner", method: "POST", path: ingest, body: asArray(t, dup), status: 200,
				has: []string{`"size":13`, `"accepted":1`, `"duplicates":2`, `{"position":0,"id":"d-4","index":4,"duplicate":true}`,
					`{"position":1,"id":"d-5","index":5,"duplicate":true}`, `{"position":2,"id":"d-12","index":12}`}}},
			{step: step{name: "bad records refuse the batch", who: "contributor", method: "POST", path: ingest, body: asArray(t, bad), status: 422,
				fields: []string{"body[1].time", "body[2].confidence"}, has: []string{"2 of 3 decision records are invalid; none was stored"}}},
			{step: step{name: "a model of another system", who: "contributor", method: "POST", path: ingest, body: asArray(t, foreignModel), status: 422,
				fields: []string{"body[0].model"}}},
			{step: step{name: "malformed line", who: "contributor", method: "POST", path: ingest, body: brokenLines, status: 422,
				fields: []string{"body[1]"}, has: []string{"line 2"}}, ctype: ndjson},
			{step: step{name: "the first bad line of many", who: "contributor", method: "POST", path: ingest, body: manyLines, status: 422,
				fields: []string{"body[301].output.score"}, has: []string{"line 302"}}, ctype: ndjson},
			{step: step{name: "value of the wrong type", who: "contributor", method: "POST", path: ingest, body: wrongType, status: 422,
				fields: []string{"body[0].output.score"}}},
			{step: step{name: "a time that is no time", who: "contributor", method: "POST", path: ingest, body: badTime, status: 422,
				fields: []string{"body[0].time"}, has: []string{"RFC 3339"}}, ctype: ndjson},
			{step: step{name: "unknown field", who: "contributor", method: "POST", path: ingest, body: unknownField, status: 422,
				fields: []string{"body[0]"}, has: []string{`colour`}}},
			{step: step{name: "trailing garbage", who: "contributor", method: "POST", path: ingest, body: first + "]", status: 422, fields: []string{"body"}}},
			{step: step{name: "empty array", who: "contributor", method: "POST", path: ingest, body: "[]", status: 422, fields: []string{"body"}}},
			{step: step{name: "empty body", who: "contributor", method: "POST", path: ingest, body: " \n", status: 422, fields: []string{"body"}}},
			{step: step{name: "not JSON at all", who: "contributor", method: "POST", path: ingest, body: first, status: 415}, ctype: "text/csv"},
			{step: step{name: "nothing stored of refused batches", who: "auditor", method: "GET", path: ingest + "?limit=1", status: 200,
				has: []string{`"size":13`, `"id":"d-12"`, `"next":12`}}},
			{step: step{name: "partial", who: "contributor", method: "POST", path: ingest + "?partial=true", body: asArray(t, partial), status: 200,
				has: []string{`"size":15`, `"accepted":2`, `"rejected":1`, `{"position":0,"id":"d-13","index":13}`,
					`{"position":1,"id":"d-bad","errors":[{"field":"body[1].time"`, `{"position":2,"id":"d-15","index":14}`}}},
		})
		stored = append(stored, sampleRecords(12, 14)...)
		stored = append(stored, sampleRecords(15, 16)...)

		// Reads.
		w.runTyped(t, []dstep{
			{step: step{name: "get by index", who: "auditor", method: "GET", path: ingest + "/3", status: 200,
				has: []string{`"index":3`, `"id":"d-3"`, `"model_version":"MDL-1@1.4.0"`, `"review":"overridden"`, `"reason":"Income verified by phone."`,
					`"attributions":[{"feature":"income","value":0.3}`, `"inputs":{`, `"income":3000`, `"age":23`, `"sensitive_attributes":false`}}},
			{step: step{name: "get by client id", who: "contributor", method: "GET", path: ingest + "/d-5", status: 200,
				has: []string{`"index":5`, `"model_version":"MDL-1@2.0.0"`, `"sensitive_attributes":true`}}, lacks: []string{"female"}},
			{step: step{name: "viewer gets", who: "viewer", method: "GET", path: ingest + "/3", status: 403}},
			{step: step{name: "another organisation gets", who: "globex", method: "GET", path: ingest + "/3", status: 404}},
			{step: step{name: "unknown decision", who: "auditor", method: "GET", path: ingest + "/999", status: 404}},
			{step: step{name: "bad limit", who: "auditor", method: "GET", path: ingest + "?limit=999", status: 422, fields: []string{"query.limit"}}},
			{step: step{name: "bad review filter", who: "auditor", method: "GET", path: ingest + "?review=maybe", status: 422, fields: []string{"query.review"}}},
			{step: step{name: "another organisation lists", who: "globex", method: "GET", path: ingest, status: 404}},
			{step: step{name: "decision log", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/decision-log", status: 200,
				has: []string{`"system":"SYS-1"`, `"size":15`, `"retention_days":183`, `"origin":"`}}},
			{step: step{name: "another organisation's log", who: "globex", method: "GET", path: "/api/v1/systems/SYS-1/decision-log", status: 404}},
			{step: step{name: "SYS-2 has none", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-2/decision-log", status: 200, has: []string{`"size":0`}}},
		})
		listCount := func(query string) int {
			r := w.call(t, "auditor", "GET", ingest+"?"+query, "")
			var p decision.Page
			if r.status != 200 || json.Unmarshal(r.body, &p) != nil {
				t.Fatalf("list %s = %d %s", query, r.status, r.body)
			}
			return len(p.Items)
		}
		count := func(keep func(decision.Record) bool) int {
			n := 0
			for _, r := range stored {
				if keep(r) {
					n++
				}
			}
			return n
		}
		for _, c := range []struct {
			query string
			keep  func(decision.Record) bool
		}{
			{"", func(decision.Record) bool { return true }},
			{"review=overridden", func(r decision.Record) bool { return r.Review != nil && r.Review.Result == decision.ReviewOverridden }},
			{"review=none", func(r decision.Record) bool { return r.Review == nil }},
			{"model=MDL-1@2.0.0", func(r decision.Record) bool { return modelKey(r) == "MDL-1@2.0.0" }},
			{"output=deny&subject=subj-1", func(r decision.Record) bool { return r.Output.Label == "deny" && r.Subject == "subj-1" }},
			{"from=2026-03-01T09:05:00Z&to=2026-03-01T09:10:00Z", func(r decision.Record) bool { return r.Time.Minute() >= 5 && r.Time.Minute() < 10 }},
		} {
			if got, want := listCount(c.query), count(c.keep); got != want || want == 0 {
				t.Errorf("list ?%s: %d decisions, want %d", c.query, got, want)
			}
		}

		// Oversight, counted here from the records sent.
		type tally struct{ decisions, reviewed, overridden int64 }
		want := map[string]*tally{}
		var total tally
		for _, r := range stored {
			k := modelKey(r)
			if want[k] == nil {
				want[k] = &tally{}
			}
			for _, tl := range []*tally{want[k], &total} {
				tl.decisions++
				if r.Review != nil {
					tl.reviewed++
					if r.Review.Result == decision.ReviewOverridden {
						tl.overridden++
					}
				}
			}
		}
		r := w.call(t, "viewer", "GET", "/api/v1/systems/SYS-1/oversight", "")
		var o decision.Oversight
		if r.status != 200 || json.Unmarshal(r.body, &o) != nil {
			t.Fatalf("oversight = %d %s", r.status, r.body)
		}
		if len(o.Versions) != len(want) {
			t.Errorf("oversight of %d versions, want %d: %s", len(o.Versions), len(want), r.body)
		}
		check := func(name string, got decision.OversightRow, w tally) {
			if got.Decisions != w.decisions || got.Reviewed != w.reviewed || got.Overridden != w.overridden ||
				math.Abs(got.ReviewRate-float64(w.reviewed)/float64(w.decisions)) > 1e-9 ||
				math.Abs(got.OverrideRate-float64(w.overridden)/float64(w.reviewed)) > 1e-9 {
				t.Errorf("oversight of %s = %+v, want %+v", name, got, w)
			}
		}
		for _, v := range o.Versions {
			if want[v.ModelKey] == nil {
				t.Errorf("oversight of an unexpected version %q", v.ModelKey)
				continue
			}
			check(v.ModelKey, v, *want[v.ModelKey])
		}
		check("the system", o.Total, total)
		w.run(t, []step{{name: "another organisation's oversight", who: "globex", method: "GET", path: "/api/v1/systems/SYS-1/oversight", status: 404}})

		// Receipts verify with the server's key, before and after erasure.
		key := w.call(t, "none", "GET", "/api/v1/audit/key", "")
		vs, err := tlog.Verifiers(strings.TrimSpace(string(key.body)))
		if err != nil {
			t.Fatal(err)
		}
		receipt := func(who, key string) []byte {
			t.Helper()
			r := w.call(t, who, "GET", ingest+"/"+key+"/receipt", "")
			if r.status != 200 {
				t.Fatalf("receipt of %s as %s = %d %s", key, who, r.status, r.body)
			}
			return r.body
		}
		rc := receipt("auditor", "d-7")
		v, err := decision.VerifyReceipt(rc, vs)
		if err != nil {
			t.Fatalf("receipt does not verify: %v\n%s", err, rc)
		}
		if v.Index != 7 || v.Record == nil || v.Record.ID != "d-7" || v.Record.Model.Key != "MDL-1@1.4.0" || v.TreeSize < 8 {
			t.Errorf("verified %+v", v)
		}
		tampered := bytes.Replace(rc, []byte(`"index":7`), []byte(`"index":6`), 1)
		if _, err := decision.VerifyReceipt(tampered, vs); err == nil {
			t.Error("a receipt with another index verifies")
		}
		w.run(t, []step{
			{name: "viewer's receipt", who: "viewer", method: "GET", path: ingest + "/d-7/receipt", status: 403},
			{name: "another organisation's receipt", who: "globex", method: "GET", path: ingest + "/d-7/receipt", status: 404},
			{name: "receipt of no decision", who: "auditor", method: "GET", path: ingest + "/99/receipt", status: 404},
		})

		// Retention and erasure.
		erased := count(func(r decision.Record) bool { return r.Subject == "subj-1" })
		w.runTyped(t, []dstep{
			{step: step{name: "contributor sets retention", who: "contributor", method: "PUT", path: "/api/v1/systems/SYS-1/decision-log/retention",
				body: `{"days":365}`, status: 403}},
			{step: step{name: "too short a retention", who: "manager", method: "PUT", path: "/api/v1/systems/SYS-1/decision-log/retention",
				body: `{"days":30}`, status: 422, fields: []string{"body.days"}}},
			{step: step{name: "retention", who: "manager", method: "PUT", path: "/api/v1/systems/SYS-1/decision-log/retention",
				body: `{"days":365}`, status: 200, has: []string{`"retention_days":365`, `"size":15`}, actions: []string{"decision_log.retention"}}},
			{step: step{name: "the same retention again", who: "owner", method: "PUT", path: "/api/v1/systems/SYS-1/decision-log/retention",
				body: `{"days":365}`, status: 200, has: []string{`"retention_days":365`}}},
			{step: step{name: "another organisation's retention", who: "globex", method: "PUT", path: "/api/v1/systems/SYS-1/decision-log/retention",
				body: `{"days":365}`, status: 404}},
			{step: step{name: "contributor erases", who: "contributor", method: "POST", path: ingest + "/erase",
				body: `{"subject":"subj-1","reason":"DSAR 42"}`, status: 403}},
			{step: step{name: "erasure needs a reason", who: "manager", method: "POST", path: ingest + "/erase",
				body: `{"subject":"subj-1","reason":" "}`, status: 422, fields: []string{"body.reason"}}},
			{step: step{name: "another organisation erases", who: "globex", method: "POST", path: ingest + "/erase",
				body: `{"subject":"subj-1","reason":"DSAR 42"}`, status: 404}},
			{step: step{name: "erase", who: "manager", method: "POST", path: ingest + "/erase",
				body: `{"subject":"subj-1","reason":"DSAR 42"}`, status: 200, has: []string{fmt.Sprintf(`"erased":%d`, erased)},
				actions: []string{"decision.erase"}}},
			{step: step{name: "erase again", who: "owner", method: "POST", path: ingest + "/erase",
				body: `{"subject":"subj-1","reason":"DSAR 42"}`, status: 200, has: []string{`"erased":0`}}},
			{step: step{name: "an erased decision", who: "auditor", method: "GET", path: ingest + "/d-7", status: 200,
				has: []string{`"erased":true`, `"erased_at":"`, `"record_hash":"`}}, lacks: []string{`"record":`, `subj-1`, `"income"`}},
			{step: step{name: "no subject left to find", who: "auditor", method: "GET", path: ingest + "?subject=subj-1", status: 200,
				has: []string{`"items":[]`}}},
		})
		if _, err := decision.VerifyReceipt(rc, vs); err != nil {
			t.Errorf("the receipt given before the erasure no longer verifies: %v", err)
		}
		after := receipt("contributor", "7")
		v, err = decision.VerifyReceipt(after, vs)
		if err != nil || v.Record != nil || v.Index != 7 {
			t.Errorf("receipt after erasure: %+v %v\n%s", v, err, after)
		}
		var before, now decision.Receipt
		if json.Unmarshal(rc, &before) != nil || json.Unmarshal(after, &now) != nil || before.RecordHash != now.RecordHash {
			t.Errorf("record hash changed by the erasure: %s → %s", before.RecordHash, now.RecordHash)
		}
	})
}

// TestDecisionOutcomesAndTokens records outcomes and checks that a token
// made for one system may write its decisions and nothing else.
func TestDecisionOutcomesAndTokens(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		decisionSetup(t, w)
		r := w.call(t, "contributor", "POST", "/api/v1/systems/SYS-1/tokens", `{"name":"scorer"}`)
		if r.status != 201 {
			t.Fatalf("system token = %d %s", r.status, r.body)
		}
		w.tokens["scoped"], _ = r.json(t)["secret"].(string)
		const outcomes = "/api/v1/systems/SYS-1/outcomes"
		other := sampleRecords(0, 1)
		other[0].Model = "MDL-2@1.0"
		w.runTyped(t, []dstep{
			{step: step{name: "outcomes before any decision", who: "contributor", method: "POST", path: outcomes,
				body: `[{"decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"}]`, status: 422}},
			{step: step{name: "scoped token records", who: "scoped", method: "POST", path: "/api/v1/systems/SYS-1/decisions", body: asLines(t, sampleRecords(0, 4)),
				status: 200, has: []string{`"accepted":4`}, actions: []string{"decision_log.create"}}, ctype: ndjson},
			{step: step{name: "scoped token, another system", who: "scoped", method: "POST", path: "/api/v1/systems/SYS-2/decisions",
				body: asArray(t, other), status: 403}},
			{step: step{name: "scoped token lists", who: "scoped", method: "GET", path: "/api/v1/systems/SYS-1/decisions", status: 403}},
			{step: step{name: "scoped token's receipt", who: "scoped", method: "GET", path: "/api/v1/systems/SYS-1/decisions/0/receipt", status: 403}},
			{step: step{name: "scoped token erases", who: "scoped", method: "POST", path: "/api/v1/systems/SYS-1/decisions/erase",
				body: `{"subject":"subj-1","reason":"x"}`, status: 403}},

			{step: step{name: "viewer records outcomes", who: "viewer", method: "POST", path: outcomes,
				body: `[{"decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"}]`, status: 403}},
			{step: step{name: "another organisation's outcomes", who: "globex", method: "POST", path: outcomes,
				body: `[{"decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"}]`, status: 404}},
			{step: step{name: "outcomes", who: "scoped", method: "POST", path: outcomes,
				body: `{"id":"o-1","decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"}` + "\n" +
					`{"id":"o-2","index":1,"label":"defaulted","score":0,"time":"2026-06-02T00:00:00Z"}` + "\n",
				status: 200, has: []string{`"system":"SYS-1"`, `"accepted":2`, `"duplicates":0`}}, ctype: ndjson},
			{step: step{name: "outcomes again", who: "contributor", method: "POST", path: outcomes,
				body:   `[{"id":"o-1","decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"},{"id":"o-3","decision":"d-0","label":"late","time":"2026-07-01T00:00:00Z"}]`,
				status: 200, has: []string{`"accepted":1`, `"duplicates":1`}}},
			{step: step{name: "bad outcomes", who: "contributor", method: "POST", path: outcomes,
				body:   `[{"decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"},{"decision":"d-99","index":2,"time":"2026-06-01T00:00:00Z"},{"index":99,"label":"x","time":"2026-06-01T00:00:00Z"}]`,
				status: 422, fields: []string{"body[1].decision", "body[1].label"}}},
			{step: step{name: "an unknown decision", who: "contributor", method: "POST", path: outcomes,
				body:   `[{"decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"},{"decision":"d-99","label":"x","time":"2026-06-01T00:00:00Z"},{"index":99,"label":"x","time":"2026-06-01T00:00:00Z"}]`,
				status: 422, fields: []string{"body[1].decision", "body[2].index"}}},
			{step: step{name: "the outcomes of a decision", who: "auditor", method: "GET", path: "/api/v1/systems/SYS-1/decisions/d-0", status: 200,
				has: []string{`"id":"o-1","decision_index":0,"label":"repaid"`, `"id":"o-3","decision_index":0,"label":"late"`}}, lacks: []string{"defaulted", "o-4"}},
			{step: step{name: "the other decision's outcome", who: "auditor", method: "GET", path: "/api/v1/systems/SYS-1/decisions/1", status: 200,
				has: []string{`"id":"o-2","decision_index":1,"label":"defaulted","score":0`}}},
		})
	})
}
