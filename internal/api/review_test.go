package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/servicetest"
)

// TestReviewEndpoints holds a management review through the API: its
// inputs fill themselves in from the risk register, a decision and an
// action are recorded, the chair signs it off and it stays frozen, while
// its action is followed up; each kind of caller gets what it may.
func TestReviewEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		today := time.Now().UTC().Format(time.DateOnly)
		due := time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)
		create := `{"title":"Management review 2026","planned_on":"` + today + `","chair":"owner@acme.example",
			"attendees":["manager@acme.example"],"guests":["Jane Roe (consultant)"]}`
		w.run(t, []step{
			{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201, actions: []string{"ai_system.create"}},
			{name: "criteria", who: "manager", method: "POST", path: "/api/v1/risk-criteria/versions", body: riskCriteria4x4, status: 201,
				actions: []string{"risk_criteria.version"}},
			{name: "a risk", who: "contributor", method: "POST", path: "/api/v1/risks", body: riskHiring, status: 201, actions: []string{"risk.create"}},

			{name: "anonymous create", who: "none", method: "POST", path: "/api/v1/reviews", body: create, status: 401},
			{name: "contributor create", who: "contributor", method: "POST", path: "/api/v1/reviews", body: create, status: 403},
			{name: "bad create", who: "manager", method: "POST", path: "/api/v1/reviews", status: 422,
				body:   `{"title":"x","planned_on":"someday","chair":"viewer@acme.example","attendees":["ghost@acme.example"]}`,
				fields: []string{"body.attendees", "body.chair", "body.planned_on"}},
			{name: "create", who: "manager", method: "POST", path: "/api/v1/reviews", body: create, status: 201,
				has: []string{`"ref":"MR-1"`, `"status":"draft"`, `"email":"owner@acme.example"`, `"guests":["Jane Roe (consultant)"]`,
					`"period_from":""`, `"key":"risks"`, `"facts":["1 risk not closed: 0 assessed, 0 with a treatment chosen."`,
					`"key":"previous_actions"`, `"clause":"9.3.2 a)"`},
				actions: []string{"management_review.create"}},
			{name: "get", who: "auditor", method: "GET", path: "/api/v1/reviews/mr-1", status: 200, has: []string{`"key":"issues","clause":"9.3.2 b)"`}},
			{name: "foreign get", who: "globex", method: "GET", path: "/api/v1/reviews/MR-1", status: 404},
			{name: "list", who: "viewer", method: "GET", path: "/api/v1/reviews", status: 200, has: []string{`"ref":"MR-1"`}},
			{name: "update", who: "manager", method: "PATCH", path: "/api/v1/reviews/MR-1", body: `{"version":1,"notes":"Reviewed the risk register.","held_on":"` + today + `"}`,
				status: 200, has: []string{`"version":2`, `"held_on":"` + today + `"`}, actions: []string{"management_review.update"}},
			{name: "stale update", who: "manager", method: "PATCH", path: "/api/v1/reviews/MR-1", body: `{"version":1,"notes":"x"}`, status: 409,
				fields: []string{"body.version"}},
			{name: "sign off without decisions", who: "owner", method: "POST", path: "/api/v1/reviews/MR-1/sign-off", body: `{"version":2}`, status: 422,
				fields: []string{"body.decisions"}},
			{name: "viewer decides", who: "viewer", method: "POST", path: "/api/v1/reviews/MR-1/decisions", body: `{"kind":"change","text":"x"}`, status: 403},
			{name: "bad decision", who: "manager", method: "POST", path: "/api/v1/reviews/MR-1/decisions", body: `{"kind":"wish","text":""}`, status: 422,
				fields: []string{"body.kind", "body.text"}},
			{name: "decision", who: "manager", method: "POST", path: "/api/v1/reviews/MR-1/decisions",
				body: `{"kind":"resources","text":"Fund a second fairness reviewer."}`, status: 201, has: []string{`"ref":"MR-1/D1"`},
				actions: []string{"review_decision.create"}},
			{name: "action", who: "manager", method: "POST", path: "/api/v1/reviews/MR-1/actions",
				body: `{"description":"Hire a fairness reviewer","owner":"contributor@acme.example","due_on":"` + due + `"}`, status: 201,
				has: []string{`"ref":"MR-1/A1"`, `"status":"open"`, `"overdue":false`}, actions: []string{"review_action.create"}},
			{name: "not the chair", who: "manager", method: "POST", path: "/api/v1/reviews/MR-1/sign-off", body: `{"version":2}`, status: 403},
			{name: "sign off", who: "owner", method: "POST", path: "/api/v1/reviews/MR-1/sign-off", body: `{"version":2}`, status: 200,
				has:     []string{`"status":"signed_off"`, `"signed_off_by":{"user_id":"`, `"text":"Fund a second fairness reviewer."`},
				actions: []string{"management_review.sign_off"}},
			{name: "frozen update", who: "manager", method: "PATCH", path: "/api/v1/reviews/MR-1", body: `{"version":3,"notes":"x"}`, status: 409},
			{name: "frozen decision", who: "manager", method: "POST", path: "/api/v1/reviews/MR-1/decisions", body: `{"kind":"change","text":"x"}`, status: 409},
			{name: "frozen removal", who: "manager", method: "DELETE", path: "/api/v1/reviews/MR-1/decisions/1", status: 409},
			{name: "frozen action text", who: "manager", method: "PATCH", path: "/api/v1/reviews/MR-1/actions/1", body: `{"version":1,"description":"Hire two"}`,
				status: 409, fields: []string{"body.description"}},
			{name: "follow up", who: "manager", method: "PATCH", path: "/api/v1/reviews/MR-1/actions/1", body: `{"version":1,"status":"done"}`,
				status: 200, has: []string{`"status":"done"`, `"done_on":"` + today + `"`}, actions: []string{"review_action.update"}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/reviews/MR-1/history", status: 200,
				has: []string{`"management_review.sign_off"`, `"review_action.update"`, `"review_decision.create"`}},
			{name: "next review", who: "owner", method: "POST", path: "/api/v1/reviews", body: create, status: 201,
				has: []string{`"ref":"MR-2"`, `"period_from":"` + today + `"`, `MR-1/A1 Hire a fairness reviewer`}, actions: []string{"management_review.create"}},
		})

		// Later records do not change what the signed-off review shows.
		w.run(t, []step{{name: "another risk", who: "contributor", method: "POST", path: "/api/v1/risks",
			body: strings.Replace(riskHiring, "Scoring disadvantages young applicants", "Drift after launch", 1), status: 201, actions: []string{"risk.create"}}})
		r := w.call(t, "viewer", "GET", "/api/v1/reviews/MR-1", "")
		if !strings.Contains(string(r.body), "1 risk not closed") || strings.Contains(string(r.body), "2 risks not closed") {
			t.Errorf("the frozen inputs changed:\n%s", r.body)
		}
		if r := w.call(t, "viewer", "GET", "/api/v1/reviews/MR-2", ""); !strings.Contains(string(r.body), "2 risks not closed") {
			t.Errorf("the draft's inputs are not live:\n%s", r.body)
		}
		r = w.call(t, "auditor", "GET", "/api/v1/reviews/MR-1/minutes", "")
		if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !strings.Contains(r.header.Get("Content-Disposition"), "management-review-MR-1.pdf") {
			t.Fatalf("minutes: %d %v", r.status, r.header)
		}
		text := servicetest.PDFLines(t, r.body)
		for _, s := range []string{"Management review MR-1: Management review 2026", "Fund a second fairness reviewer.", "MR-1/A1", "done on " + today,
			"1 risk not closed", "Signed off"} {
			if !strings.Contains(text, s) {
				t.Errorf("minutes lack %q:\n%s", s, text)
			}
		}
	})
}
