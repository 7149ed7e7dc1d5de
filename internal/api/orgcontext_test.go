package api_test

import (
	"fmt"
	"testing"
)

// TestContextEndpoints saves, approves and compares the context as each kind of caller.
func TestContextEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		draft := `{"version":%d,"internal_issues":[{"issue":"Few trained staff","effect":"Misuse"}],` +
			`"external_issues":[{"issue":"EU AI Act","effect":"High-risk duties"}],` +
			`"interested_parties":[{"name":"Customers","needs":"Fair decisions","climate_related":false}],` +
			`"scope":{"statement":"Lending","systems":[{"ref":"SYS-1"}],"sites":["Berlin"]},` +
			`"climate":{"decision":"not_relevant","justification":"Small compute"}}`
		w.run(t, []step{
			{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201, actions: []string{"ai_system.create"}},
			{name: "empty draft", who: "viewer", method: "GET", path: "/api/v1/context", status: 200, has: []string{`"version":0`, `"in_force":0`, `"decision":"undecided"`}},
			{name: "anonymous", who: "none", method: "GET", path: "/api/v1/context", status: 401},
			{name: "viewer saves", who: "viewer", method: "PUT", path: "/api/v1/context", body: fmt.Sprintf(draft, 0), status: 403},
			{name: "schema problem", who: "contributor", method: "PUT", path: "/api/v1/context", body: `{"version":0,"climate":{"decision":"maybe"}}`,
				status: 422, fields: []string{"body.climate.decision"}},
			{name: "service problems", who: "contributor", method: "PUT", path: "/api/v1/context",
				body:   `{"version":0,"external_issues":[{"issue":"Law","effect":""}],"scope":{"systems":[{"ref":"SYS-9"}]}}`,
				status: 422, fields: []string{"body.external_issues[0].effect", "body.scope.systems"}},
			{name: "save", who: "contributor", method: "PUT", path: "/api/v1/context", body: fmt.Sprintf(draft, 0), status: 200,
				has: []string{`"version":1`, `"ref":"SYS-1"`, `"missing":[]`}, actions: []string{"context.edit"}},
			{name: "stale save", who: "contributor", method: "PUT", path: "/api/v1/context", body: fmt.Sprintf(draft, 0), status: 409, fields: []string{"body.version"}},
			{name: "contributor approves", who: "contributor", method: "POST", path: "/api/v1/context/approve", body: `{"version":1}`, status: 403},
			{name: "bad interval", who: "manager", method: "POST", path: "/api/v1/context/approve", body: `{"version":1,"review_months":48}`, status: 422,
				fields: []string{"body.review_months"}},
			{name: "approve", who: "manager", method: "POST", path: "/api/v1/context/approve", body: `{"version":1,"review_months":6}`, status: 201,
				has: []string{`"number":1`, `"ref":"Context v1"`, `"in_force":true`, `"review_months":6`}, actions: []string{"context.approve"}},
			{name: "versions", who: "auditor", method: "GET", path: "/api/v1/context/versions", status: 200, has: []string{`"number":1`}},
			{name: "version", who: "viewer", method: "GET", path: "/api/v1/context/versions/1", status: 200, has: []string{`"statement":"Lending"`}},
			{name: "missing version", who: "viewer", method: "GET", path: "/api/v1/context/versions/2", status: 404},
			{name: "foreign version", who: "globex", method: "GET", path: "/api/v1/context/versions/1", status: 404},
			{name: "compare", who: "viewer", method: "GET", path: "/api/v1/context/compare?from=0&to=1", status: 200,
				has: []string{`"text":"added the external issue “EU AI Act”"`}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/context/history", status: 200, has: []string{`"context.approve"`, `"context.edit"`}},
		})
	})
}
