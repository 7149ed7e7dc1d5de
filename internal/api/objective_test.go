package api_test

import (
	"testing"
)

// objectiveBody is a complete objective owned by Acme's manager, concerning SYS-1.
const objectiveBody = `{"title":"Explain credit refusals","annex_c":["C.2.11"],"owner":"manager@acme.example","systems":["SYS-1"],
	"plan":{"actions":"Send reasons with every refusal","resources":"Two engineers","responsible":"Credit team","due_on":"2026-12-31",
	"evaluation":"Monthly sample of refusals"}}`

// TestObjectiveEndpoints sets an objective and its indicators, records
// values singly, in a batch and as a correction, as each kind of caller,
// checking status, answer and audit.
func TestObjectiveEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{
			{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201, actions: []string{"ai_system.create"}},

			// Objectives: leads set them.
			{name: "anonymous create", who: "none", method: "POST", path: "/api/v1/objectives", body: objectiveBody, status: 401},
			{name: "contributor create", who: "contributor", method: "POST", path: "/api/v1/objectives", body: objectiveBody, status: 403},
			{name: "schema problems", who: "manager", method: "POST", path: "/api/v1/objectives", body: `{"title":"","owner":"x","plan":{}}`, status: 422,
				fields: []string{"body.title", "body.plan.actions", "body.plan.resources", "body.plan.responsible", "body.plan.due_on", "body.plan.evaluation"}},
			{name: "service problems", who: "manager", method: "POST", path: "/api/v1/objectives",
				body:   `{"title":"T","annex_c":["C.3.1"],"owner":"nobody@x.example","systems":["SYS-9"],"plan":{"actions":"a","resources":"r","responsible":"p","due_on":"soon","evaluation":"e"}}`,
				status: 422, fields: []string{"body.annex_c", "body.owner", "body.plan.due_on", "body.systems"}},
			{name: "create", who: "manager", method: "POST", path: "/api/v1/objectives", body: objectiveBody, status: 201,
				has:     []string{`"ref":"OBJ-1"`, `"status":"active"`, `"id":"C.2.11","title":"Transparency and explainability"`, `"ref":"SYS-1"`, `"email":"manager@acme.example"`},
				actions: []string{"objective.create"}},
			{name: "get", who: "viewer", method: "GET", path: "/api/v1/objectives/obj-1", status: 200, has: []string{`"due_on":"2026-12-31"`, `"indicators":[]`}},
			{name: "foreign get", who: "globex", method: "GET", path: "/api/v1/objectives/OBJ-1", status: 404},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/objectives?system=SYS-1", status: 200, has: []string{`"total":1`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/objectives?status=gone", status: 422, fields: []string{"query.status"}},
			{name: "update", who: "manager", method: "PATCH", path: "/api/v1/objectives/OBJ-1", body: `{"version":1,"description":"Clear reasons"}`,
				status: 200, has: []string{`"version":2`}, actions: []string{"objective.update"}},
			{name: "stale update", who: "owner", method: "PATCH", path: "/api/v1/objectives/OBJ-1", body: `{"version":1,"description":"x"}`,
				status: 409, fields: []string{"body.version"}},

			// Indicators.
			{name: "contributor indicator", who: "contributor", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators",
				body: `{"name":"Explained","target":{"kind":"at_least","min":95},"cadence":"monthly","method":"m"}`, status: 403},
			{name: "bad indicator", who: "manager", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators",
				body: `{"name":"Explained","target":{"kind":"between","min":2},"cadence":"monthly","method":"m"}`, status: 422, fields: []string{"body.target.max"}},
			{name: "bad cadence", who: "manager", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators",
				body: `{"name":"Explained","target":{"kind":"at_least","min":95},"cadence":"weekly","method":"m"}`, status: 422, fields: []string{"body.cadence"}},
			{name: "indicator", who: "manager", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators",
				body:   `{"name":"Explained","unit":"%","target":{"kind":"at_least","min":95},"cadence":"monthly","method":"Sample of 100 refusals","source":"api","starts_on":"2024-12-31"}`,
				status: 201, has: []string{`"ref":"OBJ-1/I1"`, `"target_text":"at least 95 %"`, `"next_due_on":"2025-01-31"`, `"due":true`, `"latest":null`},
				actions: []string{"objective_indicator.create"}},
			{name: "update indicator", who: "manager", method: "PATCH", path: "/api/v1/objectives/OBJ-1/indicators/1", body: `{"version":1,"method":"Sample of 200 refusals"}`,
				status: 200, has: []string{`"version":2`}, actions: []string{"objective_indicator.update"}},
			{name: "no indicator", who: "viewer", method: "GET", path: "/api/v1/objectives/OBJ-1/indicators/9", status: 404},

			// Values: editors record them.
			{name: "viewer value", who: "viewer", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators/1/measurements", body: `{"value":96}`, status: 403},
			{name: "no value", who: "contributor", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators/1/measurements", body: `{"measured_on":"2025-01-31"}`,
				status: 422, fields: []string{"body.value"}},
			{name: "future value", who: "contributor", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators/1/measurements",
				body: `{"value":96,"measured_on":"2999-01-01","evidence":"EV-9"}`, status: 422, fields: []string{"body.evidence", "body.measured_on"}},
			{name: "value", who: "contributor", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators/1/measurements",
				body: `{"value":93,"measured_on":"2025-01-31","note":"First sample"}`, status: 201, has: []string{`"ref":"OBJ-1/I1/M1"`, `"recorded_by":"contributor@acme.example"`},
				actions: []string{"objective_measurement.create"}},
			{name: "batch problems", who: "contributor", method: "POST", path: "/api/v1/objective-measurements",
				body:   `{"items":[{"indicator":"OBJ-1/I1","value":96,"measured_on":"2025-02-28"},{"indicator":"OBJ-1/I7","value":1},{"indicator":"OBJ-1/I1","value":1,"corrects":9}]}`,
				status: 422, fields: []string{"body.items[1].indicator", "body.items[2].corrects", "body.items[2].note"}},
			{name: "empty batch", who: "contributor", method: "POST", path: "/api/v1/objective-measurements", body: `{"items":[]}`, status: 422, fields: []string{"body.items"}},
			{name: "batch", who: "contributor", method: "POST", path: "/api/v1/objective-measurements",
				body:   `{"items":[{"indicator":"OBJ-1/I1","value":96,"measured_on":"2025-02-28"},{"indicator":"obj-1/i1","value":97,"measured_on":"2025-03-31"}]}`,
				status: 201, has: []string{`"ref":"OBJ-1/I1/M2"`, `"ref":"OBJ-1/I1/M3"`},
				actions: []string{"objective_measurement.create", "objective_measurement.create"}},
			{name: "foreign batch", who: "globex", method: "POST", path: "/api/v1/objective-measurements", body: `{"items":[{"indicator":"OBJ-1/I1","value":1}]}`,
				status: 422, fields: []string{"body.items[0].indicator"}},
			{name: "correction", who: "contributor", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators/1/measurements",
				body: `{"value":94,"corrects":3,"note":"Wrong sample"}`, status: 201, has: []string{`"ref":"OBJ-1/I1/M4"`, `"measured_on":"2025-03-31"`, `"corrects":3`},
				actions: []string{"objective_measurement.correct"}},
			// The latest in force is M4's 94 for 2025-03-31: off target, next due 2025-04-30.
			{name: "indicator state", who: "viewer", method: "GET", path: "/api/v1/objectives/OBJ-1/indicators/1", status: 200,
				has: []string{`"ref":"OBJ-1/I1/M4"`, `"on_target":false`, `"next_due_on":"2025-04-30"`, `"due":true`, `"measurements":4`}},
			{name: "measurements", who: "auditor", method: "GET", path: "/api/v1/objectives/OBJ-1/indicators/1/measurements", status: 200,
				has: []string{`"ref":"OBJ-1/I1/M3","indicator_ref":"OBJ-1/I1","number":3,"value":97`, `"corrected_by":4`}},
			{name: "due list", who: "viewer", method: "GET", path: "/api/v1/objectives?due=true", status: 200, has: []string{`"total":1`, `"due_count":1`, `"off_target":1`}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/objectives/OBJ-1/history", status: 200,
				has: []string{`"objective_measurement.correct"`, `"objective_indicator.update"`, `"objective.create"`}},

			// Status.
			{name: "contributor status", who: "contributor", method: "POST", path: "/api/v1/objectives/OBJ-1/status", body: `{"version":2,"status":"achieved","note":"n"}`, status: 403},
			{name: "status without note", who: "manager", method: "POST", path: "/api/v1/objectives/OBJ-1/status", body: `{"version":2,"status":"withdrawn","note":""}`,
				status: 422, fields: []string{"body.note"}},
			{name: "withdraw", who: "manager", method: "POST", path: "/api/v1/objectives/OBJ-1/status", body: `{"version":2,"status":"withdrawn","note":"Replaced by OBJ-2"}`,
				status: 200, has: []string{`"status":"withdrawn"`, `"due_count":0`}, actions: []string{"objective.status"}},
			{name: "withdrawn takes no values", who: "contributor", method: "POST", path: "/api/v1/objectives/OBJ-1/indicators/1/measurements", body: `{"value":99}`, status: 409},
			{name: "nothing due", who: "viewer", method: "GET", path: "/api/v1/objectives?due=true&status=all", status: 200, has: []string{`"total":0`}},
		})
	})
}
