package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/tlog"
)

// decisionT0 is when the first test decision was made.
var decisionT0 = time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)

// decisionRecords are n decisions an hour apart, d-0 … d-(n-1): the first
// two thirds by MDL-1@1.0.0, the rest by MDL-1@1.1.0; about subject
// subj-<i%3>; every fourth agreed with by a reviewer, every sixth
// overridden; each explained by three attributions of which age, negative,
// is the largest. A last one, h-0, carries only its inputs' hash and a score.
func decisionRecords(n int) []decision.Record {
	out := make([]decision.Record, 0, n+1)
	for i := range n {
		score, conf := float64(i%10)/10, 0.5+float64(i%5)/10
		r := decision.Record{ID: fmt.Sprintf("d-%d", i), Time: decisionT0.Add(time.Duration(i) * time.Hour), Model: "MDL-1@1.0.0",
			Inputs:     json.RawMessage(fmt.Sprintf(`{"income": %d, "purpose": "car", "age": %d}`, 30000+i, 20+i)),
			Output:     decision.Output{Label: []string{"approve", "deny"}[i%2], Score: &score},
			Confidence: &conf,
			Explanation: &decision.Explanation{Method: "SHAP", ReasonCodes: []string{"R12"}, Text: "Short credit history.",
				Attributions: []decision.Attribution{{Feature: "income", Value: 0.4}, {Feature: "age", Value: -0.7}, {Feature: "debt", Value: 0.1}}},
			Subject: fmt.Sprintf("subj-%d", i%3),
		}
		if i >= n*2/3 {
			r.Model = "MDL-1@1.1.0"
		}
		switch {
		case i%6 == 0:
			r.Review = &decision.Review{Reviewer: "analyst-7", Result: decision.ReviewOverridden, Final: "approve", Reason: "Income documented."}
		case i%4 == 0:
			r.Review = &decision.Review{Reviewer: "analyst-7", Result: decision.ReviewAgreed}
		}
		out = append(out, r)
	}
	score := 0.25
	out = append(out, decision.Record{ID: "h-0", Time: decisionT0.Add(time.Duration(n) * time.Hour), Model: "MDL-1@1.1.0",
		InputsHash: strings.Repeat("c", 64), Output: decision.Output{Score: &score}, Subject: "subj-h"})
	return out
}

// countRecords counts the records that satisfy f.
func countRecords(recs []decision.Record, f func(decision.Record) bool) int {
	n := 0
	for _, r := range recs {
		if f(r) {
			n++
		}
	}
	return n
}

// decisionSystem registers SYS-1 with the model MDL-1 (versions 1.0.0 and
// 1.1.0, trained on DS-1@1) through the services and records the decisions.
func (e *env) decisionSystem(recs []decision.Record) {
	e.t.Helper()
	e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score loan applications."})
	train := e.modelDataset("Applications")
	if _, err := e.app.Models.Create(e.ctx, e.owner(), model.CreateRequest{System: "SYS-1", Name: "Credit scorer"}); err != nil {
		e.t.Fatal(err)
	}
	for _, label := range []string{"1.0.0", "1.1.0"} {
		if _, err := e.app.Models.CreateVersion(e.ctx, e.owner(), "MDL-1", model.VersionRequest{Label: label, Digest: modelDigest,
			TrainedOn: []string{train}}); err != nil {
			e.t.Fatal(err)
		}
	}
	res, err := e.app.Decisions.Record(e.ctx, e.owner(), "SYS-1", recs, decision.RecordOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	if res.Accepted != len(recs) {
		e.t.Fatalf("%d of %d decisions recorded", res.Accepted, len(recs))
	}
}

// rowIndexes are the indexes of the decisions a decisions page lists, in order.
func rowIndexes(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<td class="nowrap"><a href="/systems/SYS-1/decisions/(\d+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestDecisionPages searches a system's decisions as each role may, opens
// one and its receipt, erases a subject's payloads, sets the retention and
// reads the oversight rates on the system's page.
func TestDecisionPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, manager, auditor, viewer := cs[aims.RoleOwner], cs[aims.RoleManager], cs[aims.RoleAuditor], cs[aims.RoleViewer]
		recs := decisionRecords(60)
		e.decisionSystem(recs)

		// A viewer sees the log's facts and why the records are closed to them.
		r := viewer.get("/systems/SYS-1/decisions")
		want(t, r, http.StatusForbidden, `id="decisions-forbidden"`, "Your role, Viewer, does not allow reading decision records",
			`<dd id="log-size">61</dd>`, "183 days")
		wantNot(t, r, `id="decision-table"`, `id="decision-search"`, `id="erase"`, `id="retention"`, "subj-")
		wantCSPSafe(t, r)
		want(t, viewer.get("/systems/SYS-1/decisions/5"), http.StatusForbidden, "You cannot do this")
		want(t, viewer.get("/systems/SYS-1/decisions/5/receipt"), http.StatusForbidden)

		// An auditor reads and searches, but has no erase or retention form.
		r = auditor.get("/systems/SYS-1/decisions")
		want(t, r, http.StatusOK, `id="decision-table"`, `<dd id="log-size">61</dd>`, "<code>", `id="older-decisions"`,
			`href="/systems/SYS-1/decisions?before=11"`, `<option value="MDL-1@1.1.0">MDL-1@1.1.0</option>`)
		wantNot(t, r, `id="erase"`, `id="retention"`, `id="newest-decisions"`)
		wantCSPSafe(t, r)
		idx := rowIndexes(r.Body)
		if len(idx) != 50 || idx[0] != "60" || idx[49] != "11" {
			t.Fatalf("the first page lists %d decisions from %v", len(idx), idx)
		}
		r = auditor.get("/systems/SYS-1/decisions?before=11")
		want(t, r, http.StatusOK, `id="newest-decisions"`, "older than decision 11")
		wantNot(t, r, `id="older-decisions"`)
		if idx := rowIndexes(r.Body); len(idx) != 11 || idx[0] != "10" || idx[10] != "0" {
			t.Fatalf("the older page lists %v", idx)
		}

		// The pages keep the search's filters.
		r = auditor.get("/systems/SYS-1/decisions?from=2026-01-10&review=any")
		want(t, r, http.StatusOK, `href="/systems/SYS-1/decisions?before=11&amp;from=2026-01-10"`)
		r = auditor.get("/systems/SYS-1/decisions?before=11&from=2026-01-10")
		want(t, r, http.StatusOK, `href="/systems/SYS-1/decisions?from=2026-01-10" rel="first"`)
		want(t, auditor.get("/systems/SYS-1/decisions?before=x"), http.StatusUnprocessableEntity, "Before must be a decision&#39;s index")

		// Each filter finds what an independent count of the records says.
		for _, c := range []struct {
			query string
			want  int
		}{
			{"subject=subj-1", countRecords(recs, func(x decision.Record) bool { return x.Subject == "subj-1" })},
			{"review=overridden", countRecords(recs, func(x decision.Record) bool { return x.Review != nil && x.Review.Result == "overridden" })},
			{"review=agreed", countRecords(recs, func(x decision.Record) bool { return x.Review != nil && x.Review.Result == "agreed" })},
			{"review=none", countRecords(recs, func(x decision.Record) bool { return x.Review == nil })},
			{"model=MDL-1%401.1.0", countRecords(recs, func(x decision.Record) bool { return x.Model == "MDL-1@1.1.0" })},
			{"output=deny", countRecords(recs, func(x decision.Record) bool { return x.Output.Label == "deny" })},
			{"from=2026-01-12", countRecords(recs, func(x decision.Record) bool { return !x.Time.Before(decisionT0.AddDate(0, 0, 2)) })},
			{"to=2026-01-10", countRecords(recs, func(x decision.Record) bool { return x.Time.Before(decisionT0.AddDate(0, 0, 1)) })},
			{"subject=subj-2&review=reviewed", countRecords(recs, func(x decision.Record) bool { return x.Subject == "subj-2" && x.Review != nil })},
		} {
			r := auditor.get("/systems/SYS-1/decisions?" + c.query)
			want(t, r, http.StatusOK)
			if got := len(rowIndexes(r.Body)); got != c.want || c.want == 0 {
				t.Errorf("%s lists %d decisions, want %d", c.query, got, c.want)
			}
		}
		r = auditor.get("/systems/SYS-1/decisions?subject=subj-1&from=yesterday")
		want(t, r, http.StatusUnprocessableEntity, `id="search-from-error"`, "From (UTC) must be a date such as 2026-03-02",
			`value="yesterday"`, `value="subj-1"`, `href="#search-from"`)
		wantNot(t, r, `id="decision-table"`)
		want(t, auditor.get("/systems/SYS-1/decisions?from=2026-01-12&to=2026-01-11"), http.StatusUnprocessableEntity, "To must be after from")

		// One decision: why, with the largest attribution first.
		r = auditor.get("/systems/SYS-1/decisions/6")
		want(t, r, http.StatusOK, "Decision 6 of SYS-1", `<th scope="row">income</th><td>30006</td>`,
			`<th scope="row">purpose</th><td>car</td>`, `id="attribution-chart"`, "SHAP", "R12", "Short credit history.",
			`href="/models/MDL-1/versions/1.0.0"`, `href="/datasets/DS-1/versions/1"`, `id="lineage"`,
			"Overridden: the reviewer changed the decision", `<strong>approve</strong>`, "Income documented.", "analyst-7",
			`href="/systems/SYS-1/decisions/6/receipt"`, `download="SYS-1-decision-6-receipt.json"`, "−0.7", "pushed against approve",
			"+0.4", "pushed towards approve", "No outcome has been reported")
		wantCSPSafe(t, r)
		bars := regexp.MustCompile(`class="attribution-bar attribution-(positive|negative)" data-feature="(\w+)"`).FindAllStringSubmatch(r.Body, -1)
		if len(bars) != 3 || bars[0][2] != "age" || bars[0][1] != "negative" || bars[1][2] != "income" || bars[2][2] != "debt" || bars[2][1] != "positive" {
			t.Fatalf("bars = %v", bars)
		}
		hash := regexp.MustCompile(`<code id="record-hash">([0-9a-f]{64})</code>`).FindStringSubmatch(r.Body)
		if hash == nil {
			t.Fatal("no record hash on the page")
		}
		// The same decision by the client's id.
		want(t, auditor.get("/systems/SYS-1/decisions/d-6"), http.StatusOK, "Decision 6 of SYS-1", hash[1])
		want(t, auditor.get("/systems/SYS-1/decisions/999"), http.StatusNotFound)
		r = auditor.get("/systems/SYS-1/decisions/60")
		want(t, r, http.StatusOK, `<code id="inputs-hash">`+strings.Repeat("c", 64), "The system sent no explanation", "No person reviewed")
		wantNot(t, r, `id="attribution-chart"`)

		// The receipt: a download that verifies, whose record has the page's hash.
		rr := auditor.get("/systems/SYS-1/decisions/6/receipt")
		want(t, rr, http.StatusOK)
		if cd := rr.Header.Get("Content-Disposition"); cd != `attachment; filename="SYS-1-decision-6-receipt.json"` {
			t.Fatalf("Content-Disposition = %q", cd)
		}
		if ct := rr.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type = %q", ct)
		}
		vs, err := tlog.Verifiers(e.app.Audit.VerifierKey)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := decision.VerifyReceipt([]byte(rr.Body), vs); err != nil || v.Index != 6 || v.Record == nil || v.Record.ID != "d-6" {
			t.Fatalf("receipt: %+v, %v", v, err)
		}
		var rc decision.Receipt
		if err := json.Unmarshal([]byte(rr.Body), &rc); err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(rc.Record)
		if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != hash[1] {
			t.Fatalf("the page's hash %s is not the SHA-256 of the receipt's record", hash[1])
		}

		// An outcome reported later shows on the decision's page.
		idx6 := int64(6)
		if _, err := e.app.Decisions.RecordOutcomes(e.ctx, e.owner(), "SYS-1", []decision.OutcomeInput{{Index: &idx6, Label: "repaid",
			Time: decisionT0.AddDate(0, 6, 0)}}); err != nil {
			t.Fatal(err)
		}
		want(t, auditor.get("/systems/SYS-1/decisions/6"), http.StatusOK, `id="outcome-table"`, "<td>repaid</td>")

		// The system's page shows the oversight rates of each version to everyone.
		r = viewer.get("/systems/SYS-1")
		want(t, r, http.StatusOK, `id="oversight"`, `<span id="decision-records">Decision records (61)</span>`, "All versions")
		wantCSPSafe(t, r)
		for _, key := range []string{"MDL-1@1.0.0", "MDL-1@1.1.0"} {
			n := countRecords(recs, func(x decision.Record) bool { return x.Model == key })
			rev := countRecords(recs, func(x decision.Record) bool { return x.Model == key && x.Review != nil })
			over := countRecords(recs, func(x decision.Record) bool {
				return x.Model == key && x.Review != nil && x.Review.Result == decision.ReviewOverridden
			})
			label := strings.SplitN(key, "@", 2)[1]
			row := fmt.Sprintf(`<a href="/models/MDL-1/versions/%s">%s</a></th><td class="num">%d</td><td class="num">%d</td><td class="num">%.1f%%</td><td class="num">%d</td><td class="num">%.1f%%</td>`,
				label, key, n, rev, 100*float64(rev)/float64(n), over, 100*float64(over)/float64(rev))
			want(t, r, http.StatusOK, row)
		}
		want(t, auditor.get("/systems/SYS-1"), http.StatusOK, `<a href="/systems/SYS-1/decisions" id="decision-records">Decision records (61)</a>`)

		// Erasure: the forms are the leads', problems show by their fields.
		r = manager.get("/systems/SYS-1/decisions")
		want(t, r, http.StatusOK, `id="erase"`, `id="retention"`, `name="days" value="183"`)
		wantCSPSafe(t, r)
		want(t, auditor.post("/systems/SYS-1/decisions/erase", url.Values{"subject": {"subj-1"}, "reason": {"DSAR"}, "confirm": {"yes"}}),
			http.StatusForbidden)
		r = manager.post("/systems/SYS-1/decisions/erase", url.Values{"subject": {"subj-1"}, "reason": {"DSAR 2026-14"}})
		want(t, r, http.StatusUnprocessableEntity, `id="erase-confirm-error"`, "Confirmation must be ticked", `value="subj-1"`,
			">DSAR 2026-14</textarea>", `href="#erase-confirm"`)
		wantCSPSafe(t, r)
		r = manager.post("/systems/SYS-1/decisions/erase", url.Values{"subject": {"subj-1"}, "reason": {" "}, "confirm": {"yes"}})
		want(t, r, http.StatusUnprocessableEntity, `id="erase-reason-error"`, "Reason is required", `value="subj-1"`, `href="#erase-reason"`)
		r = manager.post("/systems/SYS-1/decisions/erase", url.Values{"subject": {"subj-1"}, "reason": {"DSAR 2026-14"}, "confirm": {"yes"}})
		wantRedirect(t, r, "/systems/SYS-1/decisions")
		erased := countRecords(recs, func(x decision.Record) bool { return x.Subject == "subj-1" })
		want(t, manager.get("/systems/SYS-1/decisions?review=any"), http.StatusOK,
			fmt.Sprintf("Erased the payloads of %d decisions about this subject.", erased), `class="badge badge-muted erased"`)
		want(t, manager.get("/systems/SYS-1/decisions?subject=subj-1"), http.StatusOK, "No decisions match.")
		r = manager.post("/systems/SYS-1/decisions/erase", url.Values{"subject": {"subj-1"}, "reason": {"Again"}, "confirm": {"yes"}})
		wantRedirect(t, r, "/systems/SYS-1/decisions")
		want(t, manager.get("/systems/SYS-1/decisions"), http.StatusOK, "No decision about this subject had a payload left to erase")

		// An erased decision says so; its receipt still verifies.
		r = auditor.get("/systems/SYS-1/decisions/1")
		want(t, r, http.StatusOK, `id="erased-notice"`, "was erased on", "receipt still proves", "The inputs were erased",
			"The explanation was erased")
		wantNot(t, r, `id="attribution-chart"`, `id="input-table"`, "subj-1")
		rr = auditor.get("/systems/SYS-1/decisions/1/receipt")
		if v, err := decision.VerifyReceipt([]byte(rr.Body), vs); err != nil || v.Index != 1 || v.Record != nil {
			t.Fatalf("receipt of an erased decision: %+v, %v", v, err)
		}

		// Retention: a bad number is named by its field and kept.
		r = manager.post("/systems/SYS-1/decisions/retention", url.Values{"days": {"30"}})
		want(t, r, http.StatusUnprocessableEntity, `id="retention-days-error"`, "Days kept must be between 183", `name="days" value="30"`,
			`href="#retention-days"`)
		wantCSPSafe(t, r)
		r = manager.post("/systems/SYS-1/decisions/retention", url.Values{"days": {"half a year"}})
		want(t, r, http.StatusUnprocessableEntity, "Days kept must be a whole number of days", `value="half a year"`)
		want(t, auditor.post("/systems/SYS-1/decisions/retention", url.Values{"days": {"400"}}), http.StatusForbidden)
		wantRedirect(t, manager.post("/systems/SYS-1/decisions/retention", url.Values{"days": {"400"}}), "/systems/SYS-1/decisions")
		want(t, manager.get("/systems/SYS-1/decisions"), http.StatusOK, "are now kept for 400 days.",
			`<dd id="log-retention">400 days`, `name="days" value="400"`)

		// The audit log names the changes and links them to the decisions page.
		r = owner.get("/audit")
		want(t, r, http.StatusOK, "Started the AI system&#39;s decision log", "Erased a subject&#39;s decision payloads",
			"Changed how long decision payloads are kept")

		// A system without decisions says how they arrive.
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Chat assistant", IntendedPurpose: "Answer questions."})
		want(t, auditor.get("/systems/SYS-2/decisions"), http.StatusOK, "No decisions recorded yet", "POST /api/v1/systems/SYS-2/decisions")
		want(t, viewer.get("/systems/SYS-2"), http.StatusOK, `id="oversight"`, "Decision records (0)", "No decisions recorded yet")

		// Another organisation sees nothing of it.
		e.addUser("Other Ltd", "oscar@other.example", "Oscar Other", aims.RoleOwner)
		oc := e.client()
		oc.login("oscar@other.example")
		want(t, oc.get("/systems/SYS-1/decisions"), http.StatusNotFound)
		want(t, oc.get("/systems/SYS-1/decisions/6"), http.StatusNotFound)
		want(t, oc.get("/systems/SYS-1/decisions/6/receipt"), http.StatusNotFound)
	})
}
