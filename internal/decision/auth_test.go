package decision_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
)

// operation is one service call as some actor, on a system reference.
type operation struct {
	name    string
	allowed []aims.Role
	call    func(e *env, a *aims.Actor, ref string, n int) error
}

var (
	editors = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor}
	readers = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor, aims.RoleAuditor}
	leads   = []aims.Role{aims.RoleOwner, aims.RoleManager}
)

// operations are the decision service's calls, with who may make them.
var operations = []operation{
	{"Record", editors, func(e *env, a *aims.Actor, ref string, n int) error {
		_, err := e.svc.Record(e.ctx, a, ref, sample(fmt.Sprintf("auth%d", n), 3), decision.RecordOptions{})
		return err
	}},
	{"RecordOutcomes", editors, func(e *env, a *aims.Actor, ref string, n int) error {
		_, err := e.svc.RecordOutcomes(e.ctx, a, ref, []decision.OutcomeInput{{ID: fmt.Sprintf("o%d", n), Decision: "a-1",
			Label: "repaid", Time: servicetest.T0}})
		return err
	}},
	{"List", readers, func(e *env, a *aims.Actor, ref string, _ int) error {
		_, err := e.svc.List(e.ctx, a, ref, decision.Query{})
		return err
	}},
	{"Get", readers, func(e *env, a *aims.Actor, ref string, _ int) error {
		_, err := e.svc.Get(e.ctx, a, ref, "a-1")
		return err
	}},
	{"Receipt", readers, func(e *env, a *aims.Actor, ref string, _ int) error {
		_, err := e.svc.Receipt(e.ctx, a, ref, "a-2")
		return err
	}},
	{"EraseSubject", leads, func(e *env, a *aims.Actor, ref string, n int) error {
		_, err := e.svc.EraseSubject(e.ctx, a, ref, decision.EraseRequest{Subject: fmt.Sprintf("s-%d", 3+n%5), Reason: "DSAR"})
		return err
	}},
	{"SetRetention", leads, func(e *env, a *aims.Actor, ref string, n int) error {
		_, err := e.svc.SetRetention(e.ctx, a, ref, decision.RetentionRequest{Days: 200 + n})
		return err
	}},
	{"Oversight", aims.Roles, func(e *env, a *aims.Actor, ref string, _ int) error {
		_, err := e.svc.Oversight(e.ctx, a, ref)
		return err
	}},
	{"Log", aims.Roles, func(e *env, a *aims.Actor, ref string, _ int) error {
		_, err := e.svc.Log(e.ctx, a, ref)
		return err
	}},
}

// TestAuthorization calls every operation as every role, as a member of
// another organisation, as nobody and as a token scoped to one system.
func TestAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("a", 30))
		e.record(t, e.other, []decision.Record{{ID: "a-1", Time: servicetest.T0, Model: "2.0.0", Output: decision.Output{Label: "ok"}}})
		n := 0
		// Refusals change nothing.
		servicetest.Unchanged(t, d, func() {
			for _, op := range operations {
				for _, role := range aims.Roles {
					if slices.Contains(op.allowed, role) {
						continue
					}
					n++
					servicetest.WantCode(t, op.call(e, e.as[role], "SYS-1", n), aims.CodeForbidden)
				}
				servicetest.WantCode(t, op.call(e, nil, "SYS-1", n), aims.CodeUnauthenticated)
			}
		})
		for _, op := range operations {
			for _, role := range op.allowed {
				n++
				if err := op.call(e, e.as[role], "SYS-1", n); err != nil {
					t.Errorf("%s as %s: %v", op.name, role, err)
				}
				// The system may be named by its id as well.
				n++
				if err := op.call(e, e.as[role], e.sys.ID, n); err != nil {
					t.Errorf("%s as %s by id: %v", op.name, role, err)
				}
			}
		}

		// Another organisation's owner does not find Acme's systems.
		stranger := e.member(t, "Beta Ltd", "owner@beta.example", aims.RoleOwner)
		servicetest.Unchanged(t, d, func() {
			for _, op := range operations {
				for _, ref := range []string{"SYS-1", e.sys.ID} {
					n++
					servicetest.WantCode(t, op.call(e, stranger, ref, n), aims.CodeNotFound)
				}
			}
		})

		// A token scoped to SYS-1 records decisions and outcomes there and nothing else.
		token := e.scoped(t, e.sys)
		for _, op := range operations {
			for _, sys := range []string{"SYS-1", "SYS-2"} {
				n++
				err := op.call(e, token, sys, n)
				if (op.name == "Record" || op.name == "RecordOutcomes") && sys == "SYS-1" {
					if err != nil {
						t.Errorf("the scoped token may not %s on its own system: %v", op.name, err)
					}
					continue
				}
				servicetest.WantCode(t, err, aims.CodeForbidden)
			}
		}
		// What the token recorded is in SYS-1's log, with outcomes.
		got, err := e.svc.Get(e.ctx, e.owner(), "SYS-1", "a-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Outcomes) == 0 {
			t.Fatal("no outcomes recorded")
		}
		e.verifyAll(t)
	})
}
