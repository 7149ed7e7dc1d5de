package api_test

import (
	"testing"
	"time"
)

// TestReviewInputsFromTheRecords checks that a management review's inputs
// fill themselves in from the management system's own records through the
// app: the approved context and a raised nonconformity.
func TestReviewInputsFromTheRecords(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		draft := `{"version":0,"internal_issues":[{"issue":"Few trained staff","effect":"Misuse"}],` +
			`"external_issues":[{"issue":"EU AI Act","effect":"High-risk duties"}],` +
			`"interested_parties":[{"name":"Customers","needs":"Fair decisions","climate_related":false}],` +
			`"scope":{"statement":"Lending"},"climate":{"decision":"not_relevant","justification":"Small compute"}}`
		today := time.Now().UTC().Format(time.DateOnly)
		w.run(t, []step{
			{name: "no context yet", who: "manager", method: "POST", path: "/api/v1/reviews", status: 201,
				body:    `{"title":"Review","planned_on":"` + today + `","chair":"owner@acme.example"}`,
				has:     []string{`"ref":"MR-1"`, `0 nonconformities raised and 0 closed`, `is approved, so its issues are not known.`},
				actions: []string{"management_review.create"}},
			{name: "context", who: "contributor", method: "PUT", path: "/api/v1/context", body: draft, status: 200, actions: []string{"context.edit"}},
			{name: "approve", who: "manager", method: "POST", path: "/api/v1/context/approve", body: `{"version":1}`, status: 201, actions: []string{"context.approve"}},
			{name: "nonconformity", who: "contributor", method: "POST", path: "/api/v1/nonconformities", status: 201,
				body: `{"title":"No evaluation before release","source":"other","severity":"minor"}`, actions: []string{"nonconformity.create"}},
			{name: "inputs", who: "viewer", method: "GET", path: "/api/v1/reviews/MR-1", status: 200,
				has: []string{`lists 1 internal issue and 1 external issue.`, `Context version 1 lists 1 interested party.`,
					`was the first approved context: 1 internal issue, 1 external issue and 1 interested party.`,
					`1 nonconformity raised and 0 closed`, `; 1 open now.`}},
		})
	})
}
