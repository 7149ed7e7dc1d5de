package dataset_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

const adultSHA256 = "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"

// adultOptions read adult.data as its documentation describes it.
var adultOptions = dataset.ProfileOptions{NoHeader: true,
	Columns: []string{"age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
		"relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"},
	Missing: []string{"?"}, Label: "income", Positive: ">50K", Sensitive: []string{"sex", "race"},
	Reference: map[string]map[string]float64{"sex": {"Female": 0.5, "Male": 0.5}}}

// receive uploads a file as the actor and fails the test on error.
func (e *env) receive(t *testing.T, a *aims.Actor, path string) *dataset.Upload {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, err := e.svc.Receive(e.ctx, a, f, "/some/folder/"+filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestProfileAdult profiles the real Adult data through the service and
// checks the figures stored with the file's hash, the audit event, and that
// nothing of the file is left behind.
func TestProfileAdult(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		tmp := t.TempDir()
		e.svc.SetUploadLimits(0, tmp)
		e.create(t, dataset.CreateRequest{Name: "Census income"})
		e.addVersion(t, "DS-1", public("training split"))
		contributor := e.as[aims.RoleContributor]

		u := e.receive(t, contributor, servicetest.SharedData(t, "adult.data"))
		if u.SHA256() != adultSHA256 || u.Size() != 3974305 || u.FileName() != "adult.data" {
			t.Errorf("upload = %s %d %s", u.SHA256(), u.Size(), u.FileName())
		}
		v, err := e.svc.Profile(e.ctx, contributor, "ds-1@1", dataset.ProfileRequest{Upload: u, Options: adultOptions})
		if err != nil {
			t.Fatal(err)
		}
		p := v.Profile
		if p == nil || p.Result == nil {
			t.Fatalf("no profile stored: %+v", v)
		}
		wantSum := dataset.ProfileSummary{FileName: "adult.data", FileSize: 3974305, SHA256: adultSHA256, Rows: 32561, Columns: 15,
			DuplicateRows: 24, RowsWithMissing: 2399, ProfiledAt: t0}
		if diff := cmp.Diff(wantSum, p.ProfileSummary); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		if p.ProfiledBy != contributor.UserID || p.ProfiledByName != "Acme contributor" || p.Result.SHA256 != adultSHA256 ||
			p.Result.File != "adult.data" || p.Options.Label != "income" || !cmp.Equal(p.Options.Missing, []string{"?"}) {
			t.Errorf("profile = %+v", p)
		}
		groups := map[string]int64{}
		for _, f := range p.Result.Sensitive {
			if f.Column == "sex" {
				for _, g := range f.Groups {
					groups[g.Value] = g.Size
				}
			}
		}
		if diff := cmp.Diff(map[string]int64{"Male": 21790, "Female": 10771}, groups); diff != "" {
			t.Errorf("groups of sex (-want +got):\n%s", diff)
		}
		// The stored profile reads back whole.
		got, err := e.svc.GetVersion(e.ctx, e.as[aims.RoleAuditor], "DS-1@1")
		if err != nil || got.Profile == nil || got.Profile.Result == nil || got.Profile.Result.Rows != 32561 || got.Profile.SHA256 != adultSHA256 {
			t.Errorf("read back: %+v, %v", got, err)
		}
		list, err := e.svc.Versions(e.ctx, e.as[aims.RoleViewer], "DS-1")
		if err != nil || list[0].Profile == nil || list[0].Profile.Rows != 32561 || list[0].Profile.Result != nil {
			t.Errorf("the list holds %+v, %v", list, err)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		ch := servicetest.ChangeMap(t, ev)
		if ev.Action != "dataset_version.profile" || ev.Object.Ref != "DS-1@1" || ch["sha256"] != [2]string{"null", `"` + adultSHA256 + `"`} ||
			ch["rows"][1] != "32561" || ch["duplicate_rows"][1] != "24" || ch["rows_with_missing"][1] != "2399" {
			t.Errorf("event %+v with changes %v", ev, ch)
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Errorf("left behind: %v", entries)
		}
		// The audit log holds figures, never the data.
		if servicetest.PayloadsContain(t, d, "State-gov") {
			t.Error("the audit log holds values from the file")
		}

		// Another file replaces the profile; the event shows both.
		small := filepath.Join(t.TempDir(), "sample.csv")
		os.WriteFile(small, []byte("age;income\n39;<=50K\n50;>50K\n39;<=50K\n"), 0o600)
		v, err = e.svc.Profile(e.ctx, contributor, "DS-1@1", dataset.ProfileRequest{Upload: e.receive(t, contributor, small),
			Options: dataset.ProfileOptions{Separator: ";", Label: "income", Positive: ">50K"}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Profile.Rows != 3 || v.Profile.DuplicateRows != 1 || v.Profile.FileName != "sample.csv" || v.Profile.Options.Separator != ";" {
			t.Errorf("replaced profile = %+v", v.Profile.ProfileSummary)
		}
		ch = servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if ch["rows"] != [2]string{"32561", "3"} || ch["file_name"] != [2]string{`"adult.data"`, `"sample.csv"`} {
			t.Errorf("replacing changes = %v", ch)
		}

		// A space separates fields as it does for 'aims data profile'; the
		// options keep the character itself.
		spaced := filepath.Join(t.TempDir(), "spaced.data")
		os.WriteFile(spaced, []byte("39 ? <=50K\n50 Private >50K \n"), 0o600)
		v, err = e.svc.Profile(e.ctx, contributor, "DS-1@1", dataset.ProfileRequest{Upload: e.receive(t, contributor, spaced),
			Options: dataset.ProfileOptions{NoHeader: true, Separator: "Space", Missing: []string{"?"}}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Profile.Rows != 2 || v.Profile.Columns != 3 || v.Profile.RowsWithMissing != 1 || v.Profile.Options.Separator != " " {
			t.Errorf("space-separated profile = %+v, options %+v", v.Profile.ProfileSummary, v.Profile.Options)
		}
	})
}

// TestProfileRefusals checks that an upload over the limit, bad options and
// a file that cannot be read are refused with the field at fault, storing
// nothing and leaving no file behind.
func TestProfileRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		tmp := t.TempDir()
		e.svc.SetUploadLimits(1000, tmp)
		e.create(t, dataset.CreateRequest{Name: "Census income"})
		e.addVersion(t, "DS-1", public("training split"))
		contributor := e.as[aims.RoleContributor]
		csv := "a,b\n1,x\n2,y\n"

		unchanged(t, d, func() {
			_, err := e.svc.Receive(e.ctx, contributor, strings.NewReader(strings.Repeat("x", 1001)), "big.csv")
			ae := servicetest.WantCode(t, err, aims.CodeInvalid)
			if !errors.Is(err, dataset.ErrFileTooLarge) || ae.Fields[0].Field != "file" || !strings.Contains(ae.Fields[0].Message, "1000 bytes") {
				t.Errorf("too large: %v", err)
			}
			_, err = e.svc.Receive(e.ctx, contributor, strings.NewReader(""), "empty.csv")
			servicetest.WantFields(t, err, aims.CodeInvalid, "file")
			_, err = e.svc.Receive(e.ctx, e.as[aims.RoleViewer], strings.NewReader(csv), "a.csv")
			servicetest.WantCode(t, err, aims.CodeForbidden)

			for _, c := range []struct {
				name   string
				body   string
				opts   dataset.ProfileOptions
				key    string
				code   aims.Code
				fields []string
			}{
				{"unknown columns", csv, dataset.ProfileOptions{Label: "income", Sensitive: []string{"sex"}}, "DS-1@1", aims.CodeInvalid, []string{"label", "sensitive"}},
				{"bad options", csv, dataset.ProfileOptions{Separator: ";;", Positive: "yes", Format: "xlsx",
					Sensitive: []string{"a"}, Reference: map[string]map[string]float64{"b": {"x": 1}}}, "DS-1@1", aims.CodeInvalid,
					[]string{"format", "positive", "reference", "separator"}},
				{"too many names", csv, dataset.ProfileOptions{Columns: []string{"a", "b", "c"}}, "DS-1@1", aims.CodeInvalid, []string{"columns"}},
				{"ragged file", "a,b\n1,2\n3\n", dataset.ProfileOptions{}, "DS-1@1", aims.CodeInvalid, []string{"file"}},
				{"unknown version", csv, dataset.ProfileOptions{}, "DS-1@2", aims.CodeNotFound, nil},
			} {
				u, err := e.svc.Receive(e.ctx, contributor, strings.NewReader(c.body), "x.csv")
				if err != nil {
					t.Fatal(err)
				}
				_, err = e.svc.Profile(e.ctx, contributor, c.key, dataset.ProfileRequest{Upload: u, Options: c.opts})
				if c.fields == nil {
					servicetest.WantCode(t, err, c.code)
				} else {
					servicetest.WantFields(t, err, c.code, c.fields...)
				}
				if err != nil && strings.Contains(err.Error(), "aims-profile-") {
					t.Errorf("the error names the temporary file: %v", err)
				}
				u.Remove()
			}
			_, err = e.svc.Profile(e.ctx, contributor, "DS-1@1", dataset.ProfileRequest{})
			servicetest.WantFields(t, err, aims.CodeInvalid, "file")
		})
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Errorf("left behind: %v", entries)
		}
		// An archived data set's versions are not profiled.
		if _, err := e.svc.Archive(e.ctx, contributor, "DS-1"); err != nil {
			t.Fatal(err)
		}
		u, err := e.svc.Receive(e.ctx, contributor, strings.NewReader(csv), "x.csv")
		if err != nil {
			t.Fatal(err)
		}
		unchanged(t, d, func() {
			_, err := e.svc.Profile(e.ctx, contributor, "DS-1@1", dataset.ProfileRequest{Upload: u})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
	})
}

func TestParseReference(t *testing.T) {
	var p aims.Problems
	got := dataset.ParseReference([]string{"sex:Female=0.5, sex:Male=50%", "race:White=0.6\nrace:Black=0.13;", ""}, &p)
	want := map[string]map[string]float64{"sex": {"Female": 0.5, "Male": 0.5}, "race": {"White": 0.6, "Black": 0.13}}
	if p.Err() != nil || !cmp.Equal(got, want) {
		t.Errorf("got %v, %v", got, p.Err())
	}
	if text := dataset.ReferenceText(got); text != "race:Black=0.13\nrace:White=0.6\nsex:Female=0.5\nsex:Male=0.5" {
		t.Errorf("text = %q", text)
	}
	p = nil
	dataset.ParseReference([]string{"sex=0.5", "sex:Female=2", "sex:Male=x"}, &p)
	if len(p) != 1 || p[0].Field != "reference" || !strings.Contains(p[0].Message, `"sex=0.5", "sex:Female=2", "sex:Male=x"`) {
		t.Errorf("problems = %v", p)
	}
}
