package api_test

import (
	"fmt"
	"testing"
)

// TestInternalAuditEndpoints runs an audit from programme to report as each
// kind of caller: a lead plans it, the assigned auditor (of the auditor
// role) starts it, records a major nonconformity and issues the report,
// which raises nonconformity NC-1 in the same transaction.
func TestInternalAuditEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		auditorID := w.userID(t, "auditor@acme.example")
		contributorID := w.userID(t, "contributor@acme.example")
		plan := fmt.Sprintf(`{"programme":"IAP-1","title":"Competence","objectives":"Check competence","criteria":"ISO/IEC 42001",
			"clauses":["7.2"],"planned_start":"2026-03-10","planned_end":"2026-03-12","auditor_id":%q,"auditee_ids":[%q]}`, auditorID, contributorID)
		w.run(t, []step{
			{name: "contributor programme", who: "contributor", method: "POST", path: "/api/v1/internal-audit-programmes",
				body: `{"cycle_start":"2026-01-01","objectives":"Certify"}`, status: 403},
			{name: "bad programme", who: "manager", method: "POST", path: "/api/v1/internal-audit-programmes",
				body: `{"cycle_start":"2026-02-30","objectives":"Certify","manager_id":"nobody"}`, status: 422, fields: []string{"body.cycle_start", "body.manager_id"}},
			{name: "programme", who: "manager", method: "POST", path: "/api/v1/internal-audit-programmes",
				body: `{"cycle_start":"2026-01-01","objectives":"Certify","methods":"Interviews and sampling"}`, status: 201,
				has: []string{`"ref":"IAP-1"`, `"recertification_due":"2029-01-01"`, `"to":"2026-12-31"`}, actions: []string{"internal_audit_programme.create"}},
			{name: "programmes", who: "viewer", method: "GET", path: "/api/v1/internal-audit-programmes", status: 200, has: []string{`"IAP-1"`}},
			{name: "update programme", who: "owner", method: "PATCH", path: "/api/v1/internal-audit-programmes/IAP-1", body: `{"version":1,"methods":"Sampling"}`,
				status: 200, has: []string{`"version":2`}, actions: []string{"internal_audit_programme.update"}},
			{name: "foreign programme", who: "globex", method: "GET", path: "/api/v1/internal-audit-programmes/IAP-1", status: 404},
			{name: "self audit", who: "manager", method: "POST", path: "/api/v1/internal-audits",
				body: fmt.Sprintf(`{"programme":"IAP-1","title":"T","objectives":"O","criteria":"C","clauses":["7.2"],"planned_start":"2026-03-10","planned_end":"2026-03-12","auditor_id":%q,"auditee_ids":[%q]}`,
					auditorID, auditorID), status: 422, fields: []string{"body.auditor_id"}},
			{name: "auditor plans", who: "auditor", method: "POST", path: "/api/v1/internal-audits", body: plan, status: 403},
			{name: "plan", who: "manager", method: "POST", path: "/api/v1/internal-audits", body: plan, status: 201,
				has: []string{`"ref":"IA-1"`, `"status":"planned"`, `"clauses":["7.2"]`}, actions: []string{"internal_audit.plan"}},
			{name: "foreign audit", who: "globex", method: "GET", path: "/api/v1/internal-audits/IA-1", status: 404},
			{name: "manager starts", who: "manager", method: "POST", path: "/api/v1/internal-audits/IA-1/start", status: 403},
			{name: "start", who: "auditor", method: "POST", path: "/api/v1/internal-audits/ia-1/start", status: 200,
				has: []string{`"status":"in_progress"`, `"ref":"IA-1/C1"`, `"requirement":"7.2"`}, actions: []string{"internal_audit.start"}},
			{name: "early report", who: "auditor", method: "POST", path: "/api/v1/internal-audits/IA-1/report",
				body: `{"version":2,"summary":"S","conclusion":"C"}`, status: 422, fields: []string{"body.items"}},
			{name: "finding without notes", who: "auditor", method: "PATCH", path: "/api/v1/internal-audits/IA-1/items/1",
				body: `{"version":1,"result":"major"}`, status: 422, fields: []string{"body.notes"}},
			{name: "record", who: "auditor", method: "PATCH", path: "/api/v1/internal-audits/IA-1/items/1",
				body: `{"version":1,"result":"major","notes":"No competence records"}`, status: 200,
				has: []string{`"result":"major"`, `"version":2`}, actions: []string{"internal_audit_item.record"}},
			{name: "report", who: "auditor", method: "POST", path: "/api/v1/internal-audits/IA-1/report",
				body: `{"version":2,"summary":"Competence is not evidenced","conclusion":"Not effective"}`, status: 200,
				has:     []string{`"status":"reported"`, `"ref":"IA-1/F1"`, `"nonconformity_ref":"NC-1"`},
				actions: []string{"nonconformity.create", "internal_audit.report"}},
			{name: "nonconformity", who: "viewer", method: "GET", path: "/api/v1/nonconformities/NC-1", status: 200,
				has: []string{`"source_ref":"IA-1/F1"`, `"severity":"major"`}},
			{name: "frozen", who: "manager", method: "PATCH", path: "/api/v1/internal-audits/IA-1", body: `{"version":3,"title":"x"}`, status: 409},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/internal-audits?status=reported", status: 200, has: []string{`"total":1`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/internal-audits?status=done", status: 422, fields: []string{"query.status"}},
		})
	})
}
