package api_test

import "testing"

// TestNonconformityEndpoints raises a nonconformity, plans and completes its
// action, checks it ineffective then effective, and closes it, as each kind of caller.
func TestNonconformityEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		owner := w.userID(t, w.OwnerEmail)
		action := `{"description":"Add a release gate","owner_id":"` + owner + `","due_on":"2099-01-31"}`
		w.run(t, []step{
			{name: "viewer", who: "viewer", method: "POST", path: "/api/v1/nonconformities", body: `{"title":"x","source":"audit","severity":"minor"}`, status: 403},
			{name: "problems", who: "contributor", method: "POST", path: "/api/v1/nonconformities",
				body: `{"title":"x","source":"audit","severity":"minor","clauses":["99"],"controls":["A.99.9"]}`, status: 422,
				fields: []string{"body.clauses", "body.controls"}},
			{name: "create", who: "contributor", method: "POST", path: "/api/v1/nonconformities",
				body:   `{"title":"No evaluation before release","source":"audit","source_ref":"IA-1/F1","severity":"major","clauses":["8.1"],"controls":["A.6.2.4"]}`,
				status: 201, has: []string{`"ref":"NC-1"`, `"status":"open"`}, actions: []string{"nonconformity.create"}},
			{name: "foreign", who: "globex", method: "GET", path: "/api/v1/nonconformities/NC-1", status: 404},
			{name: "root cause", who: "contributor", method: "PATCH", path: "/api/v1/nonconformities/NC-1",
				body: `{"version":1,"root_cause":"No gate","rca_method":"five whys"}`, status: 200, has: []string{`"version":2`}, actions: []string{"nonconformity.update"}},
			{name: "stale", who: "contributor", method: "PATCH", path: "/api/v1/nonconformities/NC-1", body: `{"version":1,"title":"y"}`, status: 409, fields: []string{"body.version"}},
			{name: "action", who: "contributor", method: "POST", path: "/api/v1/nonconformities/NC-1/actions", body: action, status: 201,
				has: []string{`"ref":"NC-1/A1"`}, actions: []string{"corrective_action.create"}},
			{name: "done", who: "contributor", method: "PATCH", path: "/api/v1/nonconformities/NC-1/actions/1", body: `{"version":1,"status":"done"}`, status: 200,
				has: []string{`"status":"done"`}, actions: []string{"corrective_action.update"}},
			{name: "contributor checks", who: "contributor", method: "POST", path: "/api/v1/nonconformities/NC-1/checks", body: `{"effective":true}`, status: 403},
			{name: "ineffective", who: "manager", method: "POST", path: "/api/v1/nonconformities/NC-1/checks", body: `{"effective":false,"notes":"Still shipping"}`,
				status: 201, has: []string{`"ref":"NC-1/E1"`}, actions: []string{"effectiveness_check.create"}},
			{name: "replanned", who: "viewer", method: "GET", path: "/api/v1/nonconformities/NC-1", status: 200, has: []string{`"status":"planned"`, `"replan_reason":"Still shipping"`}},
			{name: "close too early", who: "manager", method: "POST", path: "/api/v1/nonconformities/NC-1/close", body: `{"version":5}`, status: 422, fields: []string{"body.status"}},
			{name: "action 2", who: "contributor", method: "POST", path: "/api/v1/nonconformities/NC-1/actions", body: action, status: 201, actions: []string{"corrective_action.create"}},
			{name: "done 2", who: "contributor", method: "PATCH", path: "/api/v1/nonconformities/NC-1/actions/2", body: `{"version":1,"status":"done"}`, status: 200,
				actions: []string{"corrective_action.update"}},
			{name: "effective", who: "manager", method: "POST", path: "/api/v1/nonconformities/NC-1/checks", body: `{"effective":true,"evidence":["EV-1"]}`,
				status: 201, actions: []string{"effectiveness_check.create"}},
			{name: "close", who: "owner", method: "POST", path: "/api/v1/nonconformities/NC-1/close", body: `{"version":8,"aims_change_needed":false}`, status: 200,
				has: []string{`"status":"closed"`}, actions: []string{"nonconformity.close"}},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/nonconformities?status=closed", status: 200, has: []string{`"total":1`}},
			{name: "bad list", who: "auditor", method: "GET", path: "/api/v1/nonconformities?status=gone", status: 422, fields: []string{"query.status"}},
		})
	})
}
