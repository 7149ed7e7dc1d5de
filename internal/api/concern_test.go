package api_test

import "testing"

// TestConcernEndpoints reports and handles concerns as each kind of caller;
// auditors, who read everything else, are refused concerns.
func TestConcernEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{
			{name: "anonymous caller", who: "none", method: "POST", path: "/api/v1/concerns", body: `{"category":"bias","summary":"S","description":"D"}`, status: 401},
			{name: "schema problems", who: "viewer", method: "POST", path: "/api/v1/concerns", body: `{"category":"rumour","summary":"","description":"D"}`,
				status: 422, fields: []string{"body.category", "body.summary"}},
			{name: "report", who: "viewer", method: "POST", path: "/api/v1/concerns", body: `{"category":"bias","summary":"Postcodes","description":"Refusals by district"}`,
				status: 201, has: []string{`"ref":"CON-1"`, `"path":"/concerns/receipt/`}, actions: []string{"concern.report"}},
			{name: "anonymous report", who: "contributor", method: "POST", path: "/api/v1/concerns",
				body: `{"category":"misuse","summary":"S","description":"D","anonymous":true}`, status: 201, has: []string{`"ref":"CON-2"`}, actions: []string{"concern.report"}},
			{name: "auditor list", who: "auditor", method: "GET", path: "/api/v1/concerns", status: 403},
			{name: "auditor get", who: "auditor", method: "GET", path: "/api/v1/concerns/CON-1", status: 403},
			{name: "contributor get", who: "contributor", method: "GET", path: "/api/v1/concerns/CON-1", status: 403},
			{name: "list", who: "manager", method: "GET", path: "/api/v1/concerns", status: 200, has: []string{`"CON-1"`, `"CON-2"`, `"channel":"anonymous"`}},
			{name: "get", who: "manager", method: "GET", path: "/api/v1/concerns/con-1", status: 200, has: []string{`"reporter":"viewer@acme.example"`}},
			{name: "foreign get", who: "globex", method: "GET", path: "/api/v1/concerns/CON-1", status: 404},
			{name: "answer without text", who: "manager", method: "PATCH", path: "/api/v1/concerns/CON-1", body: `{"version":1,"status":"answered"}`,
				status: 422, fields: []string{"body.answer"}},
			{name: "answer", who: "manager", method: "PATCH", path: "/api/v1/concerns/CON-1", body: `{"version":1,"answer":"Fixed"}`,
				status: 200, has: []string{`"status":"answered"`, `"version":2`}, actions: []string{"concern.update"}},
			{name: "stale", who: "manager", method: "PATCH", path: "/api/v1/concerns/CON-1", body: `{"version":1,"status":"closed"}`, status: 409,
				fields: []string{"body.version"}},
			{name: "note", who: "owner", method: "POST", path: "/api/v1/concerns/CON-1/notes", body: `{"body":"Checked"}`, status: 201,
				has: []string{`"kind":"note"`}, actions: []string{"concern.note"}},
			{name: "history", who: "manager", method: "GET", path: "/api/v1/concerns/CON-1/history", status: 200, has: []string{`"concern.note"`}},
			{name: "auditor settings", who: "auditor", method: "GET", path: "/api/v1/concern-settings", status: 403},
			{name: "public on", who: "manager", method: "PUT", path: "/api/v1/concern-settings", body: `{"version":0,"public_enabled":true}`, status: 200,
				has: []string{`"public_enabled":true`, `"path":"/report/`}, actions: []string{"concern_settings.update"}},
			{name: "rotate", who: "manager", method: "POST", path: "/api/v1/concern-settings/rotate", body: `{"version":1}`, status: 200,
				has: []string{`"path":"/report/`}, actions: []string{"concern_settings.rotate"}},
			{name: "settings", who: "owner", method: "GET", path: "/api/v1/concern-settings", status: 200, has: []string{`"version":2`, `"has_link":true`}},
		})
	})
}
