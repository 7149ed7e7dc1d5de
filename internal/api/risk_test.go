package api_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// riskCriteria4x4 is a 4×4 matrix with four levels and the appetite medium.
const riskCriteria4x4 = `{"likelihood":[{"label":"Rare","description":""},{"label":"Unlikely","description":""},{"label":"Likely","description":""},{"label":"Almost certain","description":""}],
"impact":[{"label":"Minor","description":""},{"label":"Moderate","description":""},{"label":"Major","description":""},{"label":"Severe","description":""}],
"levels":[{"name":"low","colour":"#2e7d32","review_days":365},{"name":"medium","colour":"#f9a825","review_days":180},
{"name":"high","colour":"#ef6c00","review_days":90},{"name":"critical","colour":"#c62828","review_days":30}],
"matrix":[["low","low","medium","medium"],["low","medium","medium","high"],["medium","medium","high","critical"],["medium","high","critical","critical"]],
"appetite":"medium","version":0}`

// riskHiring is a risk of the credit scoring system of the world.
const riskHiring = `{"title":"Scoring disadvantages young applicants","systems":["SYS-1"],"risk_source":"C.3.4","objectives":["C.2.5"],
"consequences_individuals":"Loans refused unfairly."}`

// TestRiskEndpoints runs the risk operations as each kind of caller and
// checks the status, the answer and the audit events written.
func TestRiskEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
			actions: []string{"ai_system.create"}}})
		manager := w.userID(t, "manager@acme.example")
		// The server runs on the real clock: dates are from today.
		due, until := time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly), time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
		w.run(t, []step{
			// Criteria.
			{name: "no criteria yet", who: "viewer", method: "GET", path: "/api/v1/risk-criteria", status: 404, has: []string{"no risk criteria yet"}},
			{name: "the default", who: "viewer", method: "GET", path: "/api/v1/risk-criteria/default", status: 200,
				has: []string{`"label":"Almost certain"`, `"appetite":"medium"`, `"matrix":[["low","low","low","low","medium"]`}},
			{name: "anonymous default", who: "none", method: "GET", path: "/api/v1/risk-criteria/default", status: 401},
			{name: "contributor sets criteria", who: "contributor", method: "POST", path: "/api/v1/risk-criteria/versions", body: riskCriteria4x4, status: 403},
			{name: "bad criteria", who: "owner", method: "POST", path: "/api/v1/risk-criteria/versions", status: 422,
				body:   strings.Replace(strings.Replace(riskCriteria4x4, `"#2e7d32"`, `"green"`, 1), `"appetite":"medium"`, `"appetite":"none"`, 1),
				fields: []string{"body.appetite", "body.levels.1.colour"}},
			{name: "manager sets criteria", who: "manager", method: "POST", path: "/api/v1/risk-criteria/versions", body: riskCriteria4x4, status: 201,
				has: []string{`"version":1`, `"current":true`, `"created_by_name":"`}, actions: []string{"risk_criteria.version"}},
			{name: "stale criteria", who: "owner", method: "POST", path: "/api/v1/risk-criteria/versions", body: riskCriteria4x4, status: 409,
				fields: []string{"body.version"}},
			{name: "current criteria", who: "auditor", method: "GET", path: "/api/v1/risk-criteria", status: 200, has: []string{`"version":1`}},
			{name: "criteria versions", who: "viewer", method: "GET", path: "/api/v1/risk-criteria/versions", status: 200,
				has: []string{`"items":[{"version":1,"size":"4×4"`}},
			{name: "a criteria version", who: "viewer", method: "GET", path: "/api/v1/risk-criteria/versions/1", status: 200},
			{name: "unknown criteria version", who: "viewer", method: "GET", path: "/api/v1/risk-criteria/versions/2", status: 404},
			{name: "foreign criteria", who: "globex", method: "GET", path: "/api/v1/risk-criteria", status: 404},

			// The register.
			{name: "viewer records", who: "viewer", method: "POST", path: "/api/v1/risks", body: riskHiring, status: 403},
			{name: "every bad field", who: "contributor", method: "POST", path: "/api/v1/risks", status: 422,
				body:   `{"title":"","systems":["SYS-9"],"risk_source":"C.9.9","objectives":["C.3.1"],"owner_id":"nobody"}`,
				fields: []string{"body.objectives", "body.owner_id", "body.risk_source", "body.systems", "body.title"}},
			{name: "contributor records", who: "contributor", method: "POST", path: "/api/v1/risks", body: riskHiring, status: 201,
				has: []string{`"ref":"RISK-1"`, `"status":"identified"`, `"risk_source":{"value":"C.3.4","title":"Risk sources related to machine learning"}`,
					`"systems":[{"id":"`, `"ref":"SYS-1","name":"Credit scoring"}`, `"version":1`}, actions: []string{"risk.create"}},
			{name: "foreign risk", who: "globex", method: "GET", path: "/api/v1/risks/RISK-1", status: 404},
			{name: "a risk", who: "viewer", method: "GET", path: "/api/v1/risks/risk-1", status: 200, has: []string{`"impacts":[]`, `"treatment":{"option":""`}},
			{name: "update", who: "contributor", method: "PATCH", path: "/api/v1/risks/RISK-1", status: 200,
				body: `{"version":1,"owner_id":"` + manager + `"}`, has: []string{`"owner_name":"`, `"version":2`}, actions: []string{"risk.update"}},
			{name: "stale update", who: "contributor", method: "PATCH", path: "/api/v1/risks/RISK-1", body: `{"version":1,"title":"x"}`, status: 409,
				fields: []string{"body.version"}},
			{name: "assess out of scale", who: "contributor", method: "PUT", path: "/api/v1/risks/RISK-1/assessment", status: 422,
				body: `{"likelihood":5,"impact":0,"version":2}`, fields: []string{"body.impact", "body.likelihood"}},
			{name: "assess", who: "contributor", method: "PUT", path: "/api/v1/risks/RISK-1/assessment", body: `{"likelihood":4,"impact":4,"version":2}`,
				status: 200, has: []string{`"inherent":{"likelihood":4,"impact":4,"likelihood_label":"Almost certain","impact_label":"Severe","level":"critical","colour":"#c62828","rank":4}`,
					`"status":"assessed"`, `"above_appetite":true`}, actions: []string{"risk.assess"}},
			{name: "unknown control", who: "contributor", method: "PUT", path: "/api/v1/risks/RISK-1/treatment", status: 422,
				body: `{"option":"modify","controls":["A.99"],"version":3}`, fields: []string{"body.controls"}},
			{name: "treat", who: "contributor", method: "PUT", path: "/api/v1/risks/RISK-1/treatment", status: 200,
				body:    `{"option":"modify","plan":"Test for bias.","controls":["A.9.3"],"residual_likelihood":3,"residual_impact":3,"version":3}`,
				has:     []string{`"plan_version":1`, `"controls":[{"id":"A.9.3","title":"Objectives for responsible use of AI system"}]`, `"level":"high"`},
				actions: []string{"risk.treatment_change"}},
			{name: "add an action", who: "contributor", method: "POST", path: "/api/v1/risks/RISK-1/actions", status: 201,
				body: `{"description":"Bias audit","due_date":"` + due + `","version":4}`, has: []string{`"number":1`, `"plan_version":2`},
				actions: []string{"risk.action_add"}},
			{name: "finish it", who: "contributor", method: "PATCH", path: "/api/v1/risks/RISK-1/actions/1", body: `{"status":"done","version":5}`,
				status: 200, has: []string{`"status":"done","completed_date":"`, `"plan_version":2`}, actions: []string{"risk.action_update"}},
			{name: "unknown action", who: "contributor", method: "PATCH", path: "/api/v1/risks/RISK-1/actions/4", body: `{"status":"done","version":6}`,
				status: 404},
			{name: "contributor accepts", who: "contributor", method: "POST", path: "/api/v1/risks/RISK-1/acceptance", body: `{"version":6}`, status: 403},
			{name: "manager above the appetite", who: "manager", method: "POST", path: "/api/v1/risks/RISK-1/acceptance", status: 403,
				body: `{"above_appetite_confirmed":true,"above_appetite_reason":"Needed","version":6}`, fields: []string{"body.residual_level"},
				has: []string{"is above the risk appetite (medium), so only an owner can accept it"}},
			{name: "owner without confirmation", who: "owner", method: "POST", path: "/api/v1/risks/RISK-1/acceptance", body: `{"version":6}`,
				status: 409, fields: []string{"body.above_appetite_confirmed", "body.above_appetite_reason"}},
			{name: "owner accepts above", who: "owner", method: "POST", path: "/api/v1/risks/RISK-1/acceptance", status: 200,
				body:    `{"above_appetite_confirmed":true,"above_appetite_reason":"No alternative before the audit.","valid_until":"` + until + `","version":6}`,
				has:     []string{`"status":"accepted"`, `"above_appetite":true,"reason":"No alternative before the audit.","valid_until":"` + until + `"`, `"state":"valid"`},
				actions: []string{"risk.accept"}},
			{name: "history", who: "auditor", method: "GET", path: "/api/v1/risks/RISK-1/history", status: 200,
				has: []string{`"action":"risk.accept"`, `"field":"above_appetite_reason"`, `"action":"risk.create"`}},
			{name: "list by cell", who: "viewer", method: "GET", path: "/api/v1/risks?inherent=4-4", status: 200, has: []string{`"total":1`, `"criteria_version":1`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/risks?inherent=x&residual=9", status: 422,
				fields: []string{"query.inherent", "query.residual"}},
			{name: "overview", who: "viewer", method: "GET", path: "/api/v1/risk-overview", status: 200,
				has: []string{`"inherent":{"kind":"inherent"`, `"count":1`, `"controls_without_risks":[{"id":"A.2.2"`}},
			{name: "due", who: "viewer", method: "GET", path: "/api/v1/risk-due", status: 200, has: []string{`"risks":[]`, `"actions":[]`}},
			{name: "close without reason", who: "contributor", method: "POST", path: "/api/v1/risks/RISK-1/close", body: `{"reason":"","version":7}`,
				status: 422, fields: []string{"body.reason"}},
			{name: "bad export", who: "viewer", method: "GET", path: "/api/v1/risk-register/export?format=csv", status: 422, fields: []string{"query.format"}},

			// Assessments.
			{name: "viewer opens", who: "viewer", method: "POST", path: "/api/v1/risk-assessments", body: `{"name":"Annual 2026"}`, status: 403},
			{name: "open", who: "contributor", method: "POST", path: "/api/v1/risk-assessments", body: `{"name":"Annual 2026"}`, status: 201,
				has: []string{`"ref":"RA-1"`, `"status":"open"`, `"risks":[{`}, actions: []string{"risk_assessment.open"}},
			{name: "export open", who: "viewer", method: "GET", path: "/api/v1/risk-assessments/RA-1/export?format=pdf", status: 409},
			{name: "contributor closes", who: "contributor", method: "POST", path: "/api/v1/risk-assessments/RA-1/close", status: 403},
			{name: "manager closes", who: "manager", method: "POST", path: "/api/v1/risk-assessments/RA-1/close", body: `{"note":"Done."}`, status: 200,
				has: []string{`"status":"closed"`, `"checkpoint":{"origin":"aims/audit/`, `"close_note":"Done."`}, actions: []string{"risk_assessment.close"}},
			{name: "close again", who: "owner", method: "POST", path: "/api/v1/risk-assessments/RA-1/close", status: 409},
			{name: "open a second", who: "owner", method: "POST", path: "/api/v1/risk-assessments", status: 201,
				body: `{"name":"Credit model change","scope":"systems","systems":["SYS-1"]}`, actions: []string{"risk_assessment.open"}},
			{name: "owner closes without a body", who: "owner", method: "POST", path: "/api/v1/risk-assessments/RA-2/close", status: 200,
				actions: []string{"risk_assessment.close"}},
			{name: "list", who: "viewer", method: "GET", path: "/api/v1/risk-assessments", status: 200,
				has: []string{`"items":[{"ref":"RA-2","name":"Credit model change","scope":"systems","status":"closed"`}},
			{name: "compare", who: "viewer", method: "GET", path: "/api/v1/risk-assessments/RA-1/compare?to=RA-2", status: 200,
				has: []string{`"from":"RA-1","to":"RA-2"`, `"added":[]`, `"removed":[]`, `"changed":[]`}},
			{name: "compare needs to", who: "viewer", method: "GET", path: "/api/v1/risk-assessments/RA-1/compare", status: 422, fields: []string{"query.to"}},
			{name: "foreign assessment", who: "globex", method: "GET", path: "/api/v1/risk-assessments/RA-1", status: 404},
			{name: "foreign compare", who: "globex", method: "GET", path: "/api/v1/risk-assessments/RA-1/compare?to=RA-2", status: 404},
		})

		// Exports answer files with their type and name.
		for _, c := range []struct{ path, ctype, name, starts string }{
			{"/api/v1/risk-register/export?format=pdf", "application/pdf", "risk-register-", "%PDF-"},
			{"/api/v1/risk-register/export?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "risk-register-", "PK"},
			{"/api/v1/risk-assessments/RA-1/export?format=pdf", "application/pdf", "risk-assessment-RA-1.pdf", "%PDF-"},
			{"/api/v1/risk-assessments/ra-2/export?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "risk-assessment-RA-2.xlsx", "PK"},
		} {
			r := w.call(t, "auditor", "GET", c.path, "")
			if r.status != 200 || r.header.Get("Content-Type") != c.ctype || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment; filename="+c.name) ||
				!bytes.HasPrefix(r.body, []byte(c.starts)) {
				t.Errorf("GET %s = %d %s %q %.40q", c.path, r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"), r.body)
			}
		}
		r := w.call(t, "viewer", "GET", "/api/v1/risk-assessments/RA-1/export?format=xlsx", "")
		x, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if v, _ := x.GetCellValue("Risks", "A2"); v != "RISK-1" {
			t.Errorf("the assessment's XLSX has %q in A2", v)
		}
		r = w.call(t, "globex", "GET", "/api/v1/risk-assessments/RA-1/export?format=pdf", "")
		if r.status != 404 {
			t.Errorf("foreign export = %d", r.status)
		}
	})
}
