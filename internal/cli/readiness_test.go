package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
)

func TestReadinessCommands(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	sh := &shell{t: t, vars: map[string]string{"AIMS_SERVER": env.URL, "AIMS_TOKEN": env.Member("Acme", "auditor@acme.example", aims.RoleAuditor)}}
	r := sh.ok("", "readiness")
	for _, want := range []string{"Readiness: 0% of 70 requirements", "gaps 69, not measurable yet 1", "6.1.1", "No AI risk criteria are set", "To work on:", "6.1.3", "No version of the Statement of Applicability is approved."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("readiness lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\n6.3 ") {
		t.Errorf("a not measurable clause is listed among the gaps:\n%s", r.stdout)
	}
	if r := sh.ok("", "readiness", "--all"); !strings.Contains(r.stdout, "6.3") || !strings.Contains(r.stdout, "not measurable") {
		t.Errorf("--all:\n%s", r.stdout)
	}
	var rep struct {
		Score  float64
		Counts struct{ Gaps int }
	}
	if err := json.Unmarshal([]byte(sh.ok("", "readiness", "-o", "json").stdout), &rep); err != nil || rep.Counts.Gaps != 69 {
		t.Errorf("json: %v %+v", err, rep)
	}
	if r := sh.ok("", "readiness", "trend", "--days", "7"); !strings.Contains(r.stdout, "DAY") || !strings.Contains(r.stdout, "0%") {
		t.Errorf("trend:\n%s", r.stdout)
	}
	r = sh.ok("", "readiness", "coverage", "eu-ai-act")
	if !strings.Contains(r.stdout, "EU AI Act (Regulation (EU) 2024/1689): 0 covered, 0 partly, 12 not covered") || !strings.Contains(r.stdout, "Art. 73") {
		t.Errorf("coverage:\n%s", r.stdout)
	}
	if r := sh.run("", "readiness", "trend", "--days", "0"); r.code != 1 || !strings.Contains(r.stderr, "days") {
		t.Errorf("bad days: exit %d %s", r.code, r.stderr)
	}
}
