package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

const adultData = "../../../shared/data/adult.data"

const adultColumns = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex," +
	"capital-gain,capital-loss,hours-per-week,native-country,income"

// TestDatasetCommands registers data sets and versions, profiles the real
// Adult data and follows its lineage against a running server.
func TestDatasetCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env := apptest.New(t, dialect)
			sh := &shell{t: t, vars: map[string]string{"AIMS_SERVER": env.URL, "AIMS_TOKEN": env.Token("Acme", env.OwnerEmail)}}
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score applications")

			r := sh.run("", "dataset", "add")
			if r.code != 1 || !strings.Contains(r.stderr, `required flag(s) "name" not set`) {
				t.Errorf("add without a name: exit %d, %s", r.code, r.stderr)
			}
			r = sh.run("", "dataset", "add", "--name", " ", "--system", "SYS-9")
			if r.code != 1 || !strings.Contains(r.stderr, "  name: is required") || !strings.Contains(r.stderr, "  systems: ") {
				t.Errorf("invalid add: exit %d, %s", r.code, r.stderr)
			}
			r = sh.ok("", "dataset", "add", "--name", "Census income", "--description", "UCI Adult", "--system", "SYS-1", "--owner", env.OwnerEmail)
			if strings.TrimSpace(r.stdout) != "registered DS-1 Census income" {
				t.Errorf("add said %q", r.stdout)
			}
			sh.ok("", "dataset", "add", "--name", "Training table")

			r = sh.run("", "dataset", "version", "add", "DS-1", "--source", "UCI", "--acquisition", "public", "--licence", "CC BY 4.0", "--personal-data", "maybe")
			if r.code != 1 || !strings.Contains(r.stderr, "--personal-data must be yes or no") {
				t.Errorf("personal data maybe: exit %d, %s", r.code, r.stderr)
			}
			r = sh.run("", "dataset", "version", "add", "DS-1", "--source", "UCI", "--acquisition", "public", "--licence", "CC BY 4.0")
			if r.code != 1 || !strings.Contains(r.stderr, `required flag(s) "personal-data" not set`) {
				t.Errorf("personal data unsaid: exit %d, %s", r.code, r.stderr)
			}
			r = sh.run("", "dataset", "version", "add", "DS-1", "--source", "UCI", "--acquisition", "stolen", "--licence", "CC BY 4.0",
				"--personal-data", "yes", "--derived-from", "DS-5@1")
			for _, want := range []string{"  acquisition: must be one of", "  consent_basis: ", "  derived_from: ", "  personal_data_categories: ", "  retention: "} {
				if r.code != 1 || !strings.Contains(r.stderr, want) {
					t.Errorf("invalid version lacks %q: exit %d, %s", want, r.code, r.stderr)
				}
			}
			r = sh.ok("", "dataset", "version", "add", "DS-1", "--label", "training split", "--source", "UCI Machine Learning Repository",
				"--acquisition", "public", "--licence", "CC BY 4.0", "--personal-data", "no")
			if strings.TrimSpace(r.stdout) != "recorded DS-1@1 Census income" {
				t.Errorf("version add said %q", r.stdout)
			}
			sh.ok("", "dataset", "version", "add", "DS-2", "--source", "DS-1@1 prepared", "--acquisition", "derived", "--licence", "CC BY 4.0",
				"--personal-data", "yes", "--category", "age", "--category", "sex", "--basis", "public_task", "--retention", "Until retired",
				"--derived-from", "ds-1@1", "--step", "Drop rows with missing values", "--step", "One-hot encode")

			// --separator and --missing read as 'aims data profile' reads them.
			spaced := filepath.Join(t.TempDir(), "spaced.data")
			os.WriteFile(spaced, []byte("1 ? x\n2 NA y\n3 z w\n4 - v\n"), 0o600)
			r = sh.ok("", "dataset", "profile", "DS-1@1", spaced, "--no-header", "--separator", "space", "--missing", "?,NA", "--missing", "-")
			if !strings.Contains(r.stdout, "4 rows, 3 columns, 0 duplicate rows, 3 rows with missing values") {
				t.Errorf("space-separated profile:\n%s", r.stdout)
			}
			r = sh.ok("", "dataset", "profile", "DS-1@1", adultData, "--no-header", "--columns", adultColumns, "--missing", "?",
				"--label", "income", "--positive", ">50K", "--sensitive", "sex,race", "--reference", "sex:Female=0.5,sex:Male=0.5")
			for _, want := range []string{"profiled DS-1@1: adult.data, 3974305 bytes, sha256 5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
				"32561 rows, 15 columns, 24 duplicate rows, 2399 rows with missing values"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("profile lacks %q:\n%s", want, r.stdout)
				}
			}
			r = sh.run("", "dataset", "profile", "DS-1@1", adultData, "--label", "salary")
			if r.code != 1 || !strings.Contains(r.stderr, "  label: no column is named") {
				t.Errorf("unknown label: exit %d, %s", r.code, r.stderr)
			}
			r = sh.run("", "dataset", "profile", "DS-1", adultData)
			if r.code != 1 || !strings.Contains(r.stderr, "is not a version") {
				t.Errorf("profile without a number: exit %d, %s", r.code, r.stderr)
			}

			r = sh.ok("", "dataset", "version", "show", "ds-1@1")
			for _, want := range []string{"Rows               32561", "Duplicate rows     24", "Rows with missing  2399", "Derived into       DS-2@1 Training table",
				"Groups of sex:", "Male                        21790", "Female                      10771"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("version show lacks %q:\n%s", want, r.stdout)
				}
			}
			r = sh.ok("", "dataset", "version", "show", "DS-2@1")
			for _, want := range []string{"Preparation    1. Drop rows with missing values\n               2. One-hot encode",
				"Personal data  yes age, sex", "Lawful basis   Public task", "Derived from   DS-1@1 Census income (training split)"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("version show lacks %q:\n%s", want, r.stdout)
				}
			}
			r = sh.ok("", "dataset", "lineage", "DS-2@1")
			wantLines := "DS-2@1 Training table [derived, personal data]; prepared: Drop rows with missing values; One-hot encode\n" +
				"  DS-1@1 Census income (training split) [public, 32561 rows]\n"
			if r.stdout != wantLines {
				t.Errorf("lineage said:\n%s\nwant:\n%s", r.stdout, wantLines)
			}
			r = sh.ok("", "dataset", "lineage", "DS-2@1", "-o", "json")
			var l struct {
				Nodes []struct{ Key string }
				Edges []struct{ Child, Parent string }
			}
			if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || len(l.Nodes) != 2 || len(l.Edges) != 1 || l.Edges[0].Parent != "DS-1@1" {
				t.Errorf("lineage json: %v %+v", err, l)
			}

			r = sh.ok("", "dataset", "list", "--personal-data", "yes")
			if !strings.Contains(r.stdout, "DS-2  Training table  DS-2@1  yes") || strings.Contains(r.stdout, "DS-1 ") {
				t.Errorf("list said:\n%s", r.stdout)
			}
			r = sh.ok("", "dataset", "update", "DS-1", "--description", "UCI Adult, training split", "--no-systems")
			if strings.TrimSpace(r.stdout) != "updated DS-1 Census income" {
				t.Errorf("update said %q", r.stdout)
			}
			r = sh.ok("", "dataset", "update", "DS-1", "--description", "UCI Adult, training split")
			if strings.TrimSpace(r.stdout) != "DS-1 unchanged" {
				t.Errorf("second update said %q", r.stdout)
			}
			r = sh.ok("", "dataset", "archive", "DS-2")
			if strings.TrimSpace(r.stdout) != "DS-2 Training table is archived" {
				t.Errorf("archive said %q", r.stdout)
			}
			sh.ok("", "dataset", "restore", "DS-2")
			r = sh.ok("", "dataset", "show", "DS-1")
			for _, want := range []string{"Description  UCI Adult, training split", "DS-1@1  training split  public  personal data: no  32561 rows, 24 duplicates",
				"dataset_version.profile DS-1@1 by owner@acme.example", `systems: ["SYS-1"] → []`} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("show lacks %q:\n%s", want, r.stdout)
				}
			}
			r = sh.run("", "dataset", "show", "DS-9")
			if r.code != 1 || !strings.Contains(r.stderr, "not found (HTTP 404)") {
				t.Errorf("show unknown: exit %d, %s", r.code, r.stderr)
			}
		})
	}
}

func TestDatasetHelpAndCompletion(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	if r := sh.ok("", "--help"); !regexp.MustCompile(`\n  dataset +Register data sets and their versions`).MatchString(r.stdout) {
		t.Errorf("dataset is not listed in the help:\n%s", r.stdout)
	}
	r := sh.ok("", "dataset", "profile", "--help")
	for _, want := range []string{"--no-header", "--columns", "--separator", "--missing", "--label", "--positive", "--sensitive", "--reference",
		"aims dataset profile DS-1@1 adult.data"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("profile help lacks %q", want)
		}
	}
	r = sh.ok("", "__complete", "dataset", "version", "add", "DS-1", "--acquisition", "")
	if !strings.Contains(r.stdout, "synthetic\tSynthetic") || !strings.Contains(r.stdout, "derived\tDerived") {
		t.Errorf("acquisition completion:\n%s", r.stdout)
	}
	r = sh.ok("", "__complete", "dataset", "version", "add", "DS-1", "--basis", "")
	if !strings.Contains(r.stdout, "legitimate_interests\tLegitimate interests") {
		t.Errorf("basis completion:\n%s", r.stdout)
	}
	r = sh.ok("", "__complete", "dataset", "list", "--personal-data", "")
	if !strings.Contains(r.stdout, "yes") || !strings.Contains(r.stdout, "no") {
		t.Errorf("personal data completion:\n%s", r.stdout)
	}
}

// TestProgressBar draws an upload's progress as a terminal would show it.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	draw := progressBar(&buf, "adult.data", 4<<20, func() time.Time { return now })
	draw(1 << 20)
	draw(2 << 20) // too soon after the last: not drawn
	now = now.Add(time.Second)
	draw(4 << 20)
	want := "\radult.data [#######.......................]  25% 1.0 MiB/4.0 MiB" +
		"\radult.data [##############################] 100% 4.0 MiB/4.0 MiB uploaded; profiling on the server…"
	if buf.String() != want {
		t.Errorf("drew %q\nwant %q", buf.String(), want)
	}
	// Not on a terminal, nothing is drawn.
	if uploadProgress(env{stderr: &buf}, "x", 1) != nil {
		t.Error("progress drawn into a buffer")
	}
}
