package api_test

import "testing"

// TestIncidentEndpoints records a serious incident, its duties and their
// notification, raises a nonconformity from it, and closes it, as each kind of caller.
func TestIncidentEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		death := `{"title":"Patient sent home","occurred_at":"2026-03-01T07:00:00Z","aware_at":"2026-03-02T09:00:00Z","severity":"critical",` +
			`"harms":["health_safety"],"systems":["SYS-1"],"serious":true,"serious_category":"death"}`
		w.run(t, []step{
			{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201, actions: []string{"ai_system.create"}},
			{name: "anonymous", who: "none", method: "POST", path: "/api/v1/incidents", body: death, status: 401},
			{name: "viewer", who: "viewer", method: "POST", path: "/api/v1/incidents", body: death, status: 403},
			{name: "schema problems", who: "contributor", method: "POST", path: "/api/v1/incidents", body: `{"title":"x","severity":"grave","occurred_at":"2026-03-01T07:00:00Z"}`,
				status: 422, fields: []string{"body.severity"}},
			{name: "service problems", who: "contributor", method: "POST", path: "/api/v1/incidents",
				body: `{"title":"x","severity":"low","occurred_at":"2026-03-01T07:00:00Z","serious":true,"systems":["SYS-9"]}`, status: 422,
				fields: []string{"body.serious_category", "body.systems"}},
			{name: "create", who: "contributor", method: "POST", path: "/api/v1/incidents", body: death, status: 201,
				has:     []string{`"ref":"INC-1"`, `"art73_due":"2026-03-12T09:00:00Z"`, `"ref":"INC-1/N1"`, `"basis":"art73"`, `"due_at":"2026-03-12T09:00:00Z"`},
				actions: []string{"incident.create", "incident_notification.create"}},
			{name: "foreign", who: "globex", method: "GET", path: "/api/v1/incidents/INC-1", status: 404},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/incidents?serious=true", status: 200, has: []string{`"total":1`}},
			{name: "duty needs a deadline", who: "contributor", method: "POST", path: "/api/v1/incidents/INC-1/notifications", body: `{"recipient":"customers"}`,
				status: 422, fields: []string{"body.due_at"}},
			{name: "GDPR duty", who: "contributor", method: "POST", path: "/api/v1/incidents/INC-1/notifications", body: `{"recipient":"data_protection"}`,
				status: 201, has: []string{`"due_at":"2026-03-05T09:00:00Z"`}, actions: []string{"incident_notification.create"}},
			{name: "notified", who: "contributor", method: "POST", path: "/api/v1/incidents/INC-1/notifications/1/notified",
				body: `{"version":1,"method":"Web form","reference":"MSA-77"}`, status: 200, has: []string{`"reference":"MSA-77"`},
				actions: []string{"incident_notification.notified"}},
			{name: "raise", who: "contributor", method: "POST", path: "/api/v1/incidents/INC-1/nonconformity", body: `{"version":1,"severity":"major"}`,
				status: 200, has: []string{`"nonconformity":"NC-1"`}, actions: []string{"nonconformity.create", "incident.raise_nonconformity"}},
			{name: "contributor closes", who: "contributor", method: "POST", path: "/api/v1/incidents/INC-1/status", body: `{"version":2,"status":"closed"}`, status: 403},
			{name: "close too early", who: "manager", method: "POST", path: "/api/v1/incidents/INC-1/status", body: `{"version":2,"status":"closed"}`,
				status: 422, fields: []string{"body.status", "body.status"}},
			{name: "contain", who: "contributor", method: "POST", path: "/api/v1/incidents/INC-1/status", body: `{"version":2,"status":"contained"}`,
				status: 200, actions: []string{"incident.status"}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/incidents/INC-1/history", status: 200, has: []string{`"incident.raise_nonconformity"`}},
			{name: "nonconformity", who: "viewer", method: "GET", path: "/api/v1/nonconformities/NC-1", status: 200, has: []string{`"source":"incident"`, `"source_ref":"INC-1"`}},
		})
	})
}
