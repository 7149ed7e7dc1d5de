package api_test

import (
	"context"
	"testing"

	"github.com/aims-dev/aims/internal/evidence"
)

// TestPeopleEndpoints sets up competences, a course and AIMS roles, records
// and withdraws training, and reads the matrix and a person's page, as
// each kind of caller, checking status, answer and audit.
func TestPeopleEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		owner, err := w.App.Identity.ActorFor(context.Background(), w.userID(t, w.OwnerEmail), w.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := w.App.Evidence.Add(context.Background(), owner, evidence.AddRequest{Kind: "note", Title: "Certificate", Note: "Passed"})
		if err != nil {
			t.Fatal(err)
		}
		w.run(t, []step{
			{name: "anonymous", who: "none", method: "POST", path: "/api/v1/competences", body: `{"name":"Statistics"}`, status: 401},
			{name: "contributor", who: "contributor", method: "POST", path: "/api/v1/competences", body: `{"name":"Statistics"}`, status: 403},
			{name: "bad competence", who: "manager", method: "POST", path: "/api/v1/competences", body: `{"name":""}`, status: 422, fields: []string{"body.name"}},
			{name: "competence", who: "manager", method: "POST", path: "/api/v1/competences", body: `{"name":"Statistics"}`, status: 201,
				has: []string{`"ref":"COMP-1"`}, actions: []string{"competence.create"}},
			{name: "competence 2", who: "owner", method: "POST", path: "/api/v1/competences", body: `{"name":"AI risk assessment"}`, status: 201,
				actions: []string{"competence.create"}},
			{name: "same name", who: "owner", method: "POST", path: "/api/v1/competences", body: `{"name":"statistics"}`, status: 409, fields: []string{"body.name"}},
			{name: "course", who: "manager", method: "POST", path: "/api/v1/courses",
				body: `{"title":"AI governance essentials","provider":"internal","validity_months":12,"competences":["COMP-2"]}`, status: 201,
				has: []string{`"ref":"CRS-1"`, `"validity_months":12`, `"ref":"COMP-2"`}, actions: []string{"training_course.create"}},
			{name: "bad role", who: "manager", method: "POST", path: "/api/v1/aims-roles",
				body: `{"name":"Lead","responsibilities":"x","members":["owner@globex.example"],"competences":["COMP-9"]}`, status: 422,
				fields: []string{"body.competences", "body.members"}},
			{name: "role", who: "manager", method: "POST", path: "/api/v1/aims-roles",
				body: `{"name":"AI governance lead","responsibilities":"Keeps the AIMS conformant","reports_to_top_management":true,"members":["` +
					w.OwnerEmail + `"],"competences":["COMP-1","COMP-2"]}`, status: 201,
				has: []string{`"ref":"ROLE-1"`, `"reports_to_top_management":true`, `"email":"` + w.OwnerEmail + `"`}, actions: []string{"aims_role.create"}},
			{name: "update role", who: "owner", method: "PATCH", path: "/api/v1/aims-roles/ROLE-1", body: `{"version":1,"authorities":"Approves the SoA"}`,
				status: 200, has: []string{`"version":2`}, actions: []string{"aims_role.update"}},
			{name: "stale role", who: "owner", method: "PATCH", path: "/api/v1/aims-roles/ROLE-1", body: `{"version":1,"authorities":"x"}`,
				status: 409, fields: []string{"body.version"}},
			{name: "roles", who: "viewer", method: "GET", path: "/api/v1/aims-roles?member=" + w.OwnerEmail, status: 200, has: []string{`"ROLE-1"`}},
			{name: "foreign role", who: "globex", method: "GET", path: "/api/v1/aims-roles/ROLE-1", status: 404},

			{name: "viewer records", who: "viewer", method: "POST", path: "/api/v1/training-records", body: `{"person":"viewer@acme.example","course":"CRS-1"}`, status: 403},
			{name: "bad record", who: "contributor", method: "POST", path: "/api/v1/training-records",
				body: `{"person":"` + w.OwnerEmail + `","course":"CRS-1","expires_on":"2099-01-01","evidence":["EV-9"]}`, status: 422,
				fields: []string{"body.evidence", "body.expires_on"}},
			{name: "record", who: "contributor", method: "POST", path: "/api/v1/training-records",
				body: `{"person":"` + w.OwnerEmail + `","course":"CRS-1","completed_on":"2025-06-30","evidence":["` + ev.Ref + `"]}`, status: 201,
				has: []string{`"ref":"TR-1"`, `"expires_on":"2026-06-30"`, `"title":"Certificate"`}, actions: []string{"training_record.create"}},
			{name: "records", who: "auditor", method: "GET", path: "/api/v1/training-records?course=CRS-1", status: 200, has: []string{`"total":1`}},
			{name: "bad records", who: "auditor", method: "GET", path: "/api/v1/training-records?state=old", status: 422, fields: []string{"query.state"}},
			{name: "matrix", who: "viewer", method: "GET", path: "/api/v1/people/matrix", status: 200,
				has: []string{`"state":"missing"`, `"competence":{"id"`, `"gaps":`}},
			{name: "me", who: "owner", method: "GET", path: "/api/v1/people/me", status: 200, has: []string{`"ROLE-1"`, `"TR-1"`}},
			{name: "nobody", who: "owner", method: "GET", path: "/api/v1/people/nobody@acme.example", status: 404},
			{name: "correct", who: "contributor", method: "POST", path: "/api/v1/training-records", body: `{"replaces":"TR-1","course":"CRS-1","completed_on":"2025-07-31"}`,
				status: 201, has: []string{`"ref":"TR-2"`, `"replaces":"TR-1"`, `"expires_on":"2026-07-31"`},
				actions: []string{"training_record.create", "training_record.replace"}},
			{name: "withdraw", who: "contributor", method: "POST", path: "/api/v1/training-records/TR-2/withdraw", body: `{"reason":"Wrong person"}`,
				status: 200, has: []string{`"state":"withdrawn"`}, actions: []string{"training_record.withdraw"}},
			{name: "withdraw again", who: "contributor", method: "POST", path: "/api/v1/training-records/TR-2/withdraw", body: `{"reason":"x"}`, status: 409},
			{name: "record history", who: "viewer", method: "GET", path: "/api/v1/training-records/TR-1/history", status: 200,
				has: []string{`"training_record.replace"`, `"replaced_by"`}},
			{name: "foreign record", who: "globex", method: "GET", path: "/api/v1/training-records/TR-1", status: 404},

			{name: "archive course", who: "manager", method: "POST", path: "/api/v1/courses/CRS-1/archive", status: 200,
				has: []string{`"status":"archived"`}, actions: []string{"training_course.archive"}},
			{name: "restore course", who: "manager", method: "POST", path: "/api/v1/courses/CRS-1/restore", status: 200, actions: []string{"training_course.restore"}},
			{name: "archive role", who: "contributor", method: "POST", path: "/api/v1/aims-roles/ROLE-1/archive", status: 403},
			{name: "role history", who: "viewer", method: "GET", path: "/api/v1/aims-roles/ROLE-1/history", status: 200, has: []string{`"aims_role.update"`}},
			{name: "competences", who: "viewer", method: "GET", path: "/api/v1/competences", status: 200, has: []string{`"COMP-1"`, `"COMP-2"`}},
			{name: "courses", who: "viewer", method: "GET", path: "/api/v1/courses?q=essentials", status: 200, has: []string{`"CRS-1"`}},
		})
	})
}
