package decision_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// sent is a record as the test sent it, with the index the log gave it and
// the model version it names.
type sent struct {
	decision.Record
	index   int64
	modelID string
}

// varied returns n records whose times, models, outputs, subjects and
// reviews vary independently of each other and of their order.
func varied(prefix string, n int) []decision.Record {
	models := []string{"1.0.0", "MDL-1@1.1.0", "mv-2", "mv-1"}
	labels := []string{"approve", "deny", "refer"}
	out := make([]decision.Record, n)
	for i := range out {
		r := decision.Record{ID: fmt.Sprintf("%s-%d", prefix, i),
			Time:   servicetest.T0.Add(time.Duration((i*7919)%n)*time.Minute + time.Duration(i%5)*250*time.Millisecond),
			Model:  models[(i/2)%4],
			Output: decision.Output{Label: labels[(i*5)%7%3]},
		}
		if i%11 == 0 {
			r.Output = decision.Output{Score: ptr(float64(i) / 10)}
		}
		if i%17 != 0 {
			r.Subject = fmt.Sprintf("s-%d", i%13)
		}
		switch i % 4 {
		case 1:
			r.Review = &decision.Review{Reviewer: "r", Result: decision.ReviewAgreed}
		case 2:
			r.Review = &decision.Review{Reviewer: "r", Result: decision.ReviewOverridden, Final: "approve"}
		}
		out[i] = r
	}
	return out
}

// modelIDs resolves the references varied uses, independently of the service.
var modelIDs = map[string]string{"1.0.0": "mv-1", "MDL-1@1.1.0": "mv-2", "mv-2": "mv-2", "mv-1": "mv-1"}

// recordVaried records varied records in batches with duplicates and bad
// records (in partial mode) and returns what the log holds, by index.
func recordVaried(t *testing.T, e *env) []sent {
	t.Helper()
	recs := varied("v", 600)
	var out []sent
	for start := 0; start < len(recs); start += 200 {
		batch := slices.Clone(recs[start : start+200])
		batch = append(batch, recs[start/2])                                                    // a duplicate
		batch = append(batch, decision.Record{ID: "bad", Model: "1.0.0", Time: servicetest.T0}) // rejected: no output
		res, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", batch, decision.RecordOptions{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 200 || res.Duplicates != 1 || res.Rejected != 1 {
			t.Fatalf("%+v", res)
		}
		for i, r := range batch[:200] {
			out = append(out, sent{Record: r, index: *res.Results[i].Index, modelID: modelIDs[r.Model]})
		}
	}
	for i, s := range out {
		if s.index != int64(i) {
			t.Fatalf("record %d at index %d", i, s.index)
		}
	}
	return out
}

// TestList checks every filter and the paging of List against a filter of
// the records sent.
func TestList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		recs := recordVaried(t, e)
		reviewOf := func(s sent) string {
			if s.Review == nil {
				return ""
			}
			return s.Review.Result
		}
		at := func(minutes int, ms int) time.Time {
			return servicetest.T0.Add(time.Duration(minutes)*time.Minute + time.Duration(ms)*time.Millisecond)
		}
		cases := []struct {
			name string
			q    decision.Query
			keep func(s sent) bool
		}{
			{"all", decision.Query{}, func(sent) bool { return true }},
			{"from", decision.Query{From: at(300, 500)}, func(s sent) bool { return !s.Time.Before(at(300, 500)) }},
			{"from in another zone", decision.Query{From: at(300, 0).In(time.FixedZone("X", -5*3600))},
				func(s sent) bool { return !s.Time.Before(at(300, 0)) }},
			{"to", decision.Query{To: at(120, 250)}, func(s sent) bool { return s.Time.Before(at(120, 250)) }},
			{"from and to", decision.Query{From: at(100, 0), To: at(101, 0)},
				func(s sent) bool { return !s.Time.Before(at(100, 0)) && s.Time.Before(at(101, 0)) }},
			{"model by label", decision.Query{Model: "1.0.0"}, func(s sent) bool { return s.modelID == "mv-1" }},
			{"model by key", decision.Query{Model: "MDL-1@1.1.0"}, func(s sent) bool { return s.modelID == "mv-2" }},
			{"model by id", decision.Query{Model: " mv-2 "}, func(s sent) bool { return s.modelID == "mv-2" }},
			{"unknown model", decision.Query{Model: "9.9.9"}, func(sent) bool { return false }},
			{"another system's model", decision.Query{Model: "mv-9"}, func(sent) bool { return false }},
			{"output", decision.Query{Output: "deny"}, func(s sent) bool { return s.Output.Label == "deny" }},
			{"subject", decision.Query{Subject: "s-3"}, func(s sent) bool { return s.Subject == "s-3" }},
			{"review any", decision.Query{Review: "any"}, func(sent) bool { return true }},
			{"not reviewed", decision.Query{Review: "none"}, func(s sent) bool { return s.Review == nil }},
			{"reviewed", decision.Query{Review: "reviewed"}, func(s sent) bool { return s.Review != nil }},
			{"agreed", decision.Query{Review: "agreed"}, func(s sent) bool { return reviewOf(s) == decision.ReviewAgreed }},
			{"overridden", decision.Query{Review: "overridden"}, func(s sent) bool { return reviewOf(s) == decision.ReviewOverridden }},
			{"before", decision.Query{Before: 250}, func(s sent) bool { return s.index < 250 }},
			{"everything at once", decision.Query{From: at(50, 0), To: at(550, 0), Model: "1.1.0", Output: "approve", Subject: "s-5",
				Review: "reviewed", Before: 590}, func(s sent) bool {
				return !s.Time.Before(at(50, 0)) && s.Time.Before(at(550, 0)) && s.modelID == "mv-2" && s.Output.Label == "approve" &&
					s.Subject == "s-5" && s.Review != nil && s.index < 590
			}},
			{"model, review and from", decision.Query{Model: "mv-1", Review: "overridden", From: at(200, 0)}, func(s sent) bool {
				return s.modelID == "mv-1" && reviewOf(s) == decision.ReviewOverridden && !s.Time.Before(at(200, 0))
			}},
		}
		for _, c := range cases {
			var want []int64
			for _, s := range slices.Backward(recs) {
				if c.keep(s) {
					want = append(want, s.index)
				}
			}
			for _, limit := range []int{0, 7, 500} {
				var got []int64
				q := c.q
				q.Limit = limit
				pages := 0
				for {
					page, err := e.svc.List(e.ctx, e.auditor(), "SYS-1", q)
					if err != nil {
						t.Fatalf("%s: %v", c.name, err)
					}
					pages++
					if page.Size != 600 || page.System != "SYS-1" {
						t.Fatalf("%s: page of %+v", c.name, page)
					}
					if per := map[int]int{0: 50, 7: 7, 500: 500}[limit]; len(page.Items) > per {
						t.Fatalf("%s: %d items with limit %d", c.name, len(page.Items), limit)
					}
					for _, it := range page.Items {
						s := recs[it.Index]
						if it.ID != s.ID || !it.Time.Equal(s.Time.UTC().Truncate(time.Microsecond)) || it.ModelID != s.modelID ||
							it.ModelKey != map[string]string{"mv-1": "MDL-1@1.0.0", "mv-2": "MDL-1@1.1.0"}[s.modelID] ||
							it.OutputLabel != s.Output.Label || !cmp.Equal(it.OutputScore, s.Output.Score) || it.Subject != s.Subject ||
							it.Review != reviewOf(s) || it.Erased || !it.ReceivedAt.Equal(servicetest.T0) {
							t.Fatalf("%s: item %+v is not the record sent %+v", c.name, it, s)
						}
						got = append(got, it.Index)
					}
					if page.Next == nil {
						break
					}
					if *page.Next != page.Items[len(page.Items)-1].Index {
						t.Fatalf("%s: next %d", c.name, *page.Next)
					}
					q.Before = *page.Next
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s, limit %d (-want +got):\n%s", c.name, limit, diff)
				}
				if per := map[int]int{0: 50, 7: 7, 500: 500}[limit]; pages != max(1, (len(want)+per-1)/per) {
					t.Fatalf("%s: %d pages for %d items of %d", c.name, pages, len(want), per)
				}
			}
			if len(want) == 0 && c.name != "unknown model" && c.name != "another system's model" {
				t.Fatalf("%s: the case selects nothing", c.name)
			}
		}

		// Bad queries are refused, naming the parameter.
		for _, c := range []struct {
			q      decision.Query
			fields []string
		}{
			{decision.Query{Limit: 501}, []string{"limit"}},
			{decision.Query{Limit: -1}, []string{"limit"}},
			{decision.Query{Before: -1}, []string{"before"}},
			{decision.Query{Review: "maybe"}, []string{"review"}},
			{decision.Query{From: at(5, 0), To: at(5, 0)}, []string{"to"}},
			{decision.Query{From: at(5, 0), To: at(4, 0)}, []string{"to"}},
			{decision.Query{Limit: 1000, Before: -5, Review: "x", From: at(5, 0), To: at(1, 0)}, []string{"before", "limit", "review", "to"}},
		} {
			_, err := e.svc.List(e.ctx, e.auditor(), "SYS-1", c.q)
			servicetest.WantFields(t, err, aims.CodeInvalid, c.fields...)
		}
		// A system without decisions has an empty page.
		page, err := e.svc.List(e.ctx, e.auditor(), "SYS-2", decision.Query{})
		if err != nil || page.Size != 0 || len(page.Items) != 0 || page.Next != nil || page.System != "SYS-2" {
			t.Fatalf("%+v %v", page, err)
		}
		// Get by index and by id agree with the list.
		for _, key := range []string{"17", "v-17"} {
			got, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", key)
			if err != nil || got.Index != 17 || got.ID != "v-17" {
				t.Fatalf("Get(%s) = %+v, %v", key, got, err)
			}
		}
		for _, key := range []string{"600", "v-600", "-1", ""} {
			_, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", key)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		}
		_, err = e.svc.Get(e.ctx, e.auditor(), "SYS-2", "0")
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}

// TestOversight checks the per-version counts and rates against a count of
// the records sent.
func TestOversight(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		empty, err := e.svc.Oversight(e.ctx, e.viewer(), "SYS-1")
		if err != nil || len(empty.Versions) != 0 || empty.Total.Decisions != 0 || empty.System != "SYS-1" {
			t.Fatalf("%+v %v", empty, err)
		}
		recs := recordVaried(t, e)
		e.record(t, e.other, []decision.Record{{ID: "o", Time: servicetest.T0, Model: "2.0.0", Output: decision.Output{Label: "ok"},
			Review: &decision.Review{Reviewer: "r", Result: decision.ReviewOverridden, Final: "no"}}})
		want := map[string]*decision.OversightRow{}
		var total decision.OversightRow
		for _, s := range recs {
			for _, r := range []*decision.OversightRow{want[s.modelID], &total} {
				if r == nil {
					r = &decision.OversightRow{ModelID: s.modelID, ModelKey: map[string]string{"mv-1": "MDL-1@1.0.0", "mv-2": "MDL-1@1.1.0"}[s.modelID]}
					want[s.modelID] = r
				}
				r.Decisions++
				if s.Review != nil {
					r.Reviewed++
					if s.Review.Result == decision.ReviewOverridden {
						r.Overridden++
					}
				}
			}
		}
		for _, r := range append([]*decision.OversightRow{&total}, want["mv-1"], want["mv-2"]) {
			r.ReviewRate = float64(r.Reviewed) / float64(r.Decisions)
			r.OverrideRate = float64(r.Overridden) / float64(r.Reviewed)
		}
		o, err := e.svc.Oversight(e.ctx, e.viewer(), "SYS-1")
		if err != nil {
			t.Fatal(err)
		}
		wantO := &decision.Oversight{System: "SYS-1", Versions: []decision.OversightRow{*want["mv-1"], *want["mv-2"]}, Total: total}
		if diff := cmp.Diff(wantO, o); diff != "" {
			t.Fatalf("oversight (-want +got):\n%s", diff)
		}
		if total.Decisions != 600 || total.Reviewed != 300 || total.Overridden != 150 || len(want) != 2 {
			t.Fatalf("the sample is not what the test assumes: %+v", total)
		}
		o, err = e.svc.Oversight(e.ctx, e.viewer(), "SYS-2")
		if err != nil || len(o.Versions) != 1 || o.Versions[0].ModelKey != "MDL-2@2.0.0" || o.Total.OverrideRate != 1 || o.Total.ReviewRate != 1 {
			t.Fatalf("%+v %v", o, err)
		}
	})
}
