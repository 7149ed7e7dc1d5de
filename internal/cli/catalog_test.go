package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
)

func TestCatalogCommands(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	sh := &shell{t: t, vars: map[string]string{"AIMS_SERVER": env.URL, "AIMS_TOKEN": env.Member("Acme", "viewer@acme.example", aims.RoleViewer)}}

	r := sh.ok("", "catalog", "list")
	for _, want := range []string{"CLAUSE", "6.1.3   AI risk treatment", "CONTROL", "A.10.4   A.10      Customers"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
	r = sh.ok("", "catalog", "list", "--controls", "--category", "A.3")
	if strings.Count(r.stdout, "\nA.3.") != 2 || strings.Contains(r.stdout, "CLAUSE") {
		t.Errorf("A.3 controls:\n%s", r.stdout)
	}
	r = sh.ok("", "catalog", "list", "--clauses", "--search", "internal audit", "-o", "json")
	var out struct {
		Clauses []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Clauses) == 0 {
		t.Fatalf("json list: %v %s", err, r.stdout)
	}
	r = sh.ok("", "catalog", "show", "7.1")
	for _, want := range []string{"7.1 Resources", "What it asks:", "Points to: A.4.2, A.4.3, A.4.4, A.4.5, A.4.6", "NIST AI Risk Management Framework 1.0:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show 7.1 lacks %q:\n%s", want, r.stdout)
		}
	}
	r = sh.ok("", "catalog", "show", "a.6.2.8")
	for _, want := range []string{"A.6.2.8 AI system recording of event logs", "A.6 AI system life cycle", "ISO/IEC 27001:2022 Annex A: 8.15"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show A.6.2.8 lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := sh.run("", "catalog", "show", "A.99"); r.code != 1 || !strings.Contains(r.stderr, "HTTP 404") {
		t.Errorf("unknown control: exit %d %s", r.code, r.stderr)
	}
	if r := sh.run("", "catalog", "list", "--category", "Z"); r.code != 1 || !strings.Contains(r.stderr, "category:") {
		t.Errorf("bad category: exit %d %s", r.code, r.stderr)
	}
	r = sh.ok("", "__complete", "catalog", "show", "")
	if !strings.Contains(r.stdout, "A.3.3\tReporting of concerns") || !strings.Contains(r.stdout, "9.2.2\tInternal audit programme") {
		t.Errorf("completion:\n%s", r.stdout)
	}
}
