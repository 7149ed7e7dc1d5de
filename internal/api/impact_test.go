package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
)

// friaBody answers every required question of the EU FRIA template.
const friaBody = `{"version":%d,"answers":{"process":"Recruiters screen applications; the system ranks CVs.","period":"April 2026 to April 2027",
"frequency":"daily","categories":"Job applicants","vulnerable":"unknown","oversight":"A recruiter reads every low-ranked CV.",
"override":"always","measures":"Stop ranking and re-screen by hand.","governance":"The head of HR decides.",
"complaints":"hiring-review@acme.example, answered in 14 days.","notified":"pending"}}`

const impactBody = `{"group":"Job applicants","harm":"Qualified applicants are rejected unfairly","severity":"high","likelihood":"possible",
"reversibility":"partly_reversible","scale":"group","mitigation":"A recruiter reviews every low rank."}`

func impactJSON(format string, args ...any) string {
	return strings.ReplaceAll(strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " "), "\t", "")
}

// TestImpactEndpoints runs requests as each kind of caller and checks the
// status, the answer and the audit events written: templates, an EU FRIA
// from start to approval, a risk raised from an impact, versions and the PDF.
func TestImpactEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", status: 201,
			body: `{"name":"Hiring screening","intended_purpose":"Rank job applications","eu_ai_act_class":"high"}`, actions: []string{"ai_system.create"}}})
		w.run(t, []step{
			{name: "anonymous templates", who: "none", method: "GET", path: "/api/v1/impact/templates", status: 401},
			{name: "templates", who: "viewer", method: "GET", path: "/api/v1/impact/templates", status: 200,
				has: []string{`"key":"iso-42005","name":"ISO/IEC 42005 elements"`, `"key":"eu-fria","name":"EU AI Act Art. 27 FRIA"`, `"questions":18`}},
			{name: "bad template filter", who: "viewer", method: "GET", path: "/api/v1/impact/templates?status=old", status: 422, fields: []string{"query.status"}},
			{name: "a template", who: "auditor", method: "GET", path: "/api/v1/impact/templates/EU-FRIA", status: 200,
				has: []string{`"built_in":true`, `"id":"harms","ref":"Art. 27(1)(d)"`, `"type":"impacts","required":true`,
					`"options":[{"value":"continuous","label":"Continuously"}`, `"versions":[{"number":1,"name":"EU AI Act Art. 27 FRIA","questions":18}]`}},
			{name: "unknown template", who: "viewer", method: "GET", path: "/api/v1/impact/templates/dpia", status: 404},
			{name: "unknown version", who: "viewer", method: "GET", path: "/api/v1/impact/templates/eu-fria?version=2", status: 404},
			{name: "contributor copies", who: "contributor", method: "POST", path: "/api/v1/impact/templates/eu-fria/copy", status: 403},
			{name: "manager copies", who: "manager", method: "POST", path: "/api/v1/impact/templates/eu-fria/copy", status: 201,
				has:     []string{`"key":"IAT-1"`, `"name":"EU AI Act Art. 27 FRIA (copy)"`, `"based_on":"eu-fria v1"`, `"version":1`},
				actions: []string{"impact_template.copy"}},
			{name: "every bad template field", who: "owner", method: "PUT", path: "/api/v1/impact/templates/IAT-1", status: 422,
				body: `{"version":1,"name":" ","sections":[{"id":"x","title":"X","questions":[{"id":"q","text":"Q?","type":"choice","options":[{"value":"a","label":"A"}]},{"id":"q","text":"","type":"scale"}]}]}`,
				fields: []string{"body.name", "body.sections[0].questions[0].options", "body.sections[0].questions[1].id",
					"body.sections[0].questions[1].scale", "body.sections[0].questions[1].text"}},
			{name: "unknown question type", who: "owner", method: "PUT", path: "/api/v1/impact/templates/IAT-1", status: 422,
				body:   `{"version":1,"name":"x","sections":[{"id":"x","title":"X","questions":[{"id":"q","text":"Q?","type":"essay"}]}]}`,
				fields: []string{"body.sections[0].questions[0].type"}},
			{name: "save a version", who: "owner", method: "PUT", path: "/api/v1/impact/templates/iat-1", status: 200,
				body: `{"version":1,"name":"Short FRIA","sections":[{"id":"use","title":"Use","questions":[{"id":"where","text":"Where?","type":"text","required":true},{"id":"harms","text":"Harms?","type":"impacts"},{"id":"level","text":"Level?","type":"scale","scale":["Low","High"]}]}]}`,
				has:  []string{`"version":2`, `"latest":2`, `"name":"Short FRIA"`, `"versions":[{"number":2`}, actions: []string{"impact_template.update"}},
			{name: "stale save", who: "owner", method: "PUT", path: "/api/v1/impact/templates/IAT-1", status: 409, fields: []string{"body.version"},
				body: `{"version":1,"name":"x","sections":[{"id":"x","title":"X","questions":[{"id":"q","text":"Q?","type":"text"}]}]}`},
			{name: "built-in save", who: "owner", method: "PUT", path: "/api/v1/impact/templates/eu-fria", status: 409,
				body: `{"version":1,"name":"x","sections":[{"id":"x","title":"X","questions":[{"id":"q","text":"Q?","type":"text"}]}]}`},
			{name: "foreign template", who: "globex", method: "GET", path: "/api/v1/impact/templates/IAT-1", status: 404},
			{name: "archive", who: "manager", method: "POST", path: "/api/v1/impact/templates/IAT-1/archive", status: 200,
				has: []string{`"status":"archived"`}, actions: []string{"impact_template.archive"}},

			{name: "viewer starts", who: "viewer", method: "POST", path: "/api/v1/impact/assessments", body: `{"system":"SYS-1","template":"eu-fria"}`, status: 403},
			{name: "every bad start field", who: "contributor", method: "POST", path: "/api/v1/impact/assessments", status: 422,
				body: `{"system":"SYS-9","template":"IAT-1"}`, fields: []string{"body.system", "body.template"}},
			{name: "unknown model version", who: "contributor", method: "POST", path: "/api/v1/impact/assessments", status: 422,
				body: `{"system":"SYS-1","template":"eu-fria","model_version":"MDL-9@1.0.0"}`, fields: []string{"body.model_version"}},
			{name: "start", who: "contributor", method: "POST", path: "/api/v1/impact/assessments", status: 201,
				body: `{"system":"sys-1","template":"eu-fria"}`,
				has: []string{`"ref":"IA-1"`, `"system_ref":"SYS-1"`, `"template":{"key":"eu-fria","version":1,"name":"EU AI Act Art. 27 FRIA"}`,
					`"status":"draft"`, `"answers":{}`, `"missing":["process","period"`, `"impacts":[]`, `"due":false`},
				actions: []string{"impact.create"}},
			{name: "foreign start", who: "globex", method: "POST", path: "/api/v1/impact/assessments", body: `{"system":"SYS-1","template":"eu-fria"}`,
				status: 422, fields: []string{"body.system"}},
			{name: "bad answers", who: "contributor", method: "PATCH", path: "/api/v1/impact/assessments/IA-1", status: 422,
				body:   `{"version":1,"answers":{"frequency":"hourly","oversight_strength":"9","colour":"red"},"title":""}`,
				fields: []string{"body.answers.colour", "body.answers.frequency", "body.answers.oversight_strength", "body.title"}},
			{name: "answer", who: "contributor", method: "PATCH", path: "/api/v1/impact/assessments/ia-1", status: 200, body: impactJSON(friaBody, 1),
				has: []string{`"version":2`, `"frequency":"daily"`, `"missing":["harms"]`}, actions: []string{"impact.update"}},
			{name: "stale answer", who: "owner", method: "PATCH", path: "/api/v1/impact/assessments/IA-1", status: 409,
				body: `{"version":1,"answers":{"volume":"300"}}`, fields: []string{"body.version"}},
			{name: "auditor answers", who: "auditor", method: "PATCH", path: "/api/v1/impact/assessments/IA-1", body: `{"version":2}`, status: 403},
			{name: "foreign answer", who: "globex", method: "PATCH", path: "/api/v1/impact/assessments/IA-1", body: `{"version":2}`, status: 404},
			{name: "submit incomplete", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/submit", status: 422,
				body: `{"version":2}`, fields: []string{"body.impacts"}},
			{name: "bad impact", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/impacts", status: 422,
				body:   `{"group":"","harm":"x","severity":"huge","likelihood":"often","reversibility":"no","scale":"all"}`,
				fields: []string{"body.group", "body.likelihood", "body.reversibility", "body.scale", "body.severity"}},
			{name: "add impact", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/impacts", status: 201, body: impactBody,
				has: []string{`"number":1`, `"severity":"high"`, `"risks":[]`}, actions: []string{"impact.impact_add"}},
			{name: "add another", who: "manager", method: "POST", path: "/api/v1/impact/assessments/IA-1/impacts", status: 201,
				body: `{"group":"Society","harm":"Bias entrenched","severity":"medium","likelihood":"unlikely","reversibility":"irreversible","scale":"society"}`,
				has:  []string{`"number":2`}, actions: []string{"impact.impact_add"}},
			{name: "change impact", who: "contributor", method: "PUT", path: "/api/v1/impact/assessments/IA-1/impacts/1", status: 200,
				body: strings.TrimSuffix(strings.Replace(impactBody, `"high"`, `"critical"`, 1), "}") + `,"version":1}`,
				has:  []string{`"severity":"critical"`, `"version":2`}, actions: []string{"impact.impact_update"}},
			{name: "stale impact", who: "contributor", method: "PUT", path: "/api/v1/impact/assessments/IA-1/impacts/1", status: 409,
				body: strings.TrimSuffix(impactBody, "}") + `,"version":1}`, fields: []string{"body.version"}},
			{name: "remove stale", who: "contributor", method: "DELETE", path: "/api/v1/impact/assessments/IA-1/impacts/2?version=3", status: 409},
			{name: "remove", who: "contributor", method: "DELETE", path: "/api/v1/impact/assessments/IA-1/impacts/2?version=1", status: 204,
				actions: []string{"impact.impact_remove"}},
			{name: "remove again", who: "contributor", method: "DELETE", path: "/api/v1/impact/assessments/IA-1/impacts/2", status: 404},
			{name: "viewer raises a risk", who: "viewer", method: "POST", path: "/api/v1/impact/assessments/IA-1/impacts/1/risk", status: 403},
			{name: "raise a risk", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/impacts/1/risk", status: 201,
				has:     []string{`"risks":[{"id":"`, `"ref":"RISK-1","title":"Qualified applicants are rejected unfairly (Job applicants)"`},
				actions: []string{"risk.create", "impact.risk_create"}},
			{name: "link it again", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/impacts/1/links", status: 409,
				body: `{"risk":"RISK-1"}`},
			{name: "link unknown", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/impacts/1/links", status: 422,
				body: `{"risk":"RISK-9"}`, fields: []string{"body.risk"}},
			{name: "submit", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/submit", status: 200,
				body: `{"version":2,"note":"Ready"}`, has: []string{`"status":"in_review"`, `"review":{"action":"submit","note":"Ready"`},
				actions: []string{"impact.submit"}},
			{name: "contributor approves", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/approve", body: `{"version":3}`, status: 403},
			{name: "return without a note", who: "manager", method: "POST", path: "/api/v1/impact/assessments/IA-1/return", status: 422,
				body: `{"version":3}`, fields: []string{"body.note"}},
			{name: "return", who: "manager", method: "POST", path: "/api/v1/impact/assessments/IA-1/return", status: 200,
				body: `{"version":3,"note":"Name the deadline."}`, has: []string{`"status":"draft"`, `"action":"return"`}, actions: []string{"impact.return"}},
			{name: "submit again", who: "contributor", method: "POST", path: "/api/v1/impact/assessments/IA-1/submit", status: 200,
				body: `{"version":4}`, actions: []string{"impact.submit"}},
			{name: "bad review date", who: "owner", method: "POST", path: "/api/v1/impact/assessments/IA-1/approve", status: 422,
				body: `{"version":5,"next_review_date":"2020-01-01"}`, fields: []string{"body.next_review_date"}},
			{name: "approve", who: "owner", method: "POST", path: "/api/v1/impact/assessments/IA-1/approve", status: 201,
				body: `{"version":5,"note":"Board approval","next_review_date":"2099-01-31"}`,
				has: []string{`"assessment_ref":"IA-1"`, `"number":1`, `"note":"Board approval"`, `"next_review_date":"2099-01-31"`,
					`"approved_by_name":"Olive Owner"`, `"checkpoint":{"origin":"aims/audit/`, `"ref":"RISK-1"`},
				actions: []string{"impact.approve"}},
			{name: "approve again", who: "owner", method: "POST", path: "/api/v1/impact/assessments/IA-1/approve", body: `{"version":6}`, status: 409},
			{name: "versions", who: "auditor", method: "GET", path: "/api/v1/impact/assessments/IA-1/versions", status: 200,
				has: []string{`"items":[{"number":1,"note":"Board approval","next_review_date":"2099-01-31"`}},
			{name: "a version", who: "viewer", method: "GET", path: "/api/v1/impact/assessments/IA-1/versions/1", status: 200,
				has: []string{`"root":"`, `"note":"aims/audit/`, `"answers":{"categories":"Job applicants"`}},
			{name: "version 0", who: "viewer", method: "GET", path: "/api/v1/impact/assessments/IA-1/versions/0", status: 422, fields: []string{"path.number"}},
			{name: "foreign version", who: "globex", method: "GET", path: "/api/v1/impact/assessments/IA-1/versions/1", status: 404},
			{name: "list", who: "viewer", method: "GET", path: "/api/v1/impact/assessments?system=SYS-1&status=approved", status: 200,
				has: []string{`"total":1`, `"ref":"IA-1"`, `"latest_version":1`, `"impacts":1`}},
			{name: "list due", who: "viewer", method: "GET", path: "/api/v1/impact/assessments?due=true", status: 200, has: []string{`"total":0`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/impact/assessments?status=done&limit=0", status: 422,
				fields: []string{"query.limit", "query.status"}},
			{name: "foreign list", who: "globex", method: "GET", path: "/api/v1/impact/assessments", status: 200, has: []string{`"total":0`}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/impact/assessments/IA-1/history", status: 200,
				has: []string{`"action":"impact.approve"`, `"action":"impact.risk_create"`, `"field":"risk","after":"RISK-1"`}},
			{name: "foreign export", who: "globex", method: "GET", path: "/api/v1/impact/assessments/IA-1/export", status: 404},
			{name: "export unknown version", who: "viewer", method: "GET", path: "/api/v1/impact/assessments/IA-1/export?version=4", status: 404},
		})

		// The risk raised from the impact is in the register, which lists the impact.
		ctx := context.Background()
		rk, err := w.App.Risks.Lookup(ctx, w.Org.ID, "RISK-1")
		if err != nil || rk.Title != "Qualified applicants are rejected unfairly (Job applicants)" {
			t.Fatalf("RISK-1 = %+v, %v", rk, err)
		}
		links, err := w.App.Impact.ImpactsOfRisk(ctx, w.Org.ID, rk.ID)
		if err != nil || len(links) != 1 || links[0].AssessmentRef != "IA-1" || links[0].SystemRef != "SYS-1" ||
			links[0].Summary != "#1 Job applicants: Qualified applicants are rejected unfairly" {
			t.Errorf("impacts of RISK-1 = %+v, %v", links, err)
		}

		// A change to the system's purpose makes it due, with the reason.
		w.run(t, []step{
			{name: "change purpose", who: "owner", method: "PATCH", path: "/api/v1/systems/SYS-1", body: `{"version":1,"intended_purpose":"Rank and reject"}`,
				status: 200, actions: []string{"ai_system.update"}},
			{name: "due", who: "viewer", method: "GET", path: "/api/v1/impact/assessments?due=true", status: 200,
				has: []string{`"total":1`, `"due":true`, `"kind":"system_change","field":"intended_purpose"`}},
		})

		// The PDF, as an attachment.
		for _, c := range []struct{ path, name string }{
			{"/api/v1/impact/assessments/IA-1/export", "IA-1-v1.pdf"},
			{"/api/v1/impact/assessments/IA-1/export?version=1", "IA-1-v1.pdf"},
		} {
			r := w.call(t, "auditor", "GET", c.path, "")
			if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || r.header.Get("Content-Disposition") != "attachment; filename="+c.name ||
				!bytes.HasPrefix(r.body, []byte("%PDF-")) {
				t.Errorf("GET %s = %d %s %q", c.path, r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
			}
		}
		w.call(t, "contributor", "PATCH", "/api/v1/impact/assessments/IA-1", `{"version":6,"residual_concerns":"Some"}`)
		if r := w.call(t, "auditor", "GET", "/api/v1/impact/assessments/IA-1/export", ""); r.header.Get("Content-Disposition") != "attachment; filename=IA-1-draft.pdf" {
			t.Errorf("draft export named %q", r.header.Get("Content-Disposition"))
		}
		var a impact.Assessment
		if err := json.Unmarshal(w.call(t, "viewer", "GET", "/api/v1/impact/assessments/IA-1", "").body, &a); err != nil || a.Status != "draft" ||
			!a.Due || a.Impacts[0].Risks[0].Ref != "RISK-1" {
			t.Errorf("IA-1 = %+v, %v", a, err)
		}

		// With the audit log broken, raising a risk stores neither the risk nor the link.
		count := func(q string) int {
			var n int
			if err := w.App.DB.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		risks, linked := count(`SELECT count(*) FROM risks`), count(`SELECT count(*) FROM impact_risk_links`)
		servicetest.FailAuditAppends(t, w.App.DB)
		if r := w.call(t, "contributor", "POST", "/api/v1/impact/assessments/IA-1/impacts/1/risk", ""); r.status != 500 {
			t.Errorf("raising a risk with a broken audit log = %d %s", r.status, r.body)
		}
		if count(`SELECT count(*) FROM risks`) != risks || count(`SELECT count(*) FROM impact_risk_links`) != linked {
			t.Error("a refused risk left a risk or a link behind")
		}
	})
}
