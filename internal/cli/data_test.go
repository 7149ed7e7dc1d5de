package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/profile"
	"github.com/aims-dev/aims/internal/servicetest"
)

const adultNames = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex," +
	"capital-gain,capital-loss,hours-per-week,native-country,income"

func adultArgs(t *testing.T, extra ...string) []string {
	return append([]string{"data", "profile", servicetest.SharedData(t, "adult.data"), "--no-header", "--columns", adultNames,
		"--missing", "?", "--label", "income", "--positive", ">50K", "--sensitive", "sex,race"}, extra...)
}

// squeeze collapses runs of spaces, so that tests do not depend on column widths.
func squeeze(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

// TestDataProfileAdult: 'aims data profile' works offline (no server, no
// token) and prints the figures computed independently in
// internal/profile/testdata/expected.py.
func TestDataProfileAdult(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	r := sh.ok("", adultArgs(t, "--reference", "sex:Male=0.49,sex:Female=51%")...)
	if r.stderr != "" {
		t.Errorf("stderr is not a terminal, yet: %q", r.stderr)
	}
	out := squeeze(r.stdout)
	for _, want := range []string{
		"Data-quality profile of adult.data",
		"SHA-256 5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
		`Format CSV, 3,974,305 bytes, separator ",", no header, missing "?"`,
		"Rows 32,561", "Columns 15",
		"Duplicate rows 24 (0.1%), extra copies of an earlier row",
		"Rows with a missing value 2,399 (7.4%)",
		"age integer 0 73 min 17 mean 38.58 max 90 std 13.64 quartiles 28 / 37 / 48",
		"workclass text 1,836 8 Private 22,696, Self-emp-not-inc 2,541, Local-gov 2,093, …",
		"fnlwgt integer 0 21,648 min 12,285 mean 189,778.4 max 1,484,705",
		"occupation text 1,843 14 ", "native-country text 583 41 ",
		`Label income: 32,561 labelled, 0 missing; positive ">50K", rate 24.1%`,
		"<=50K 24,720 75.9%", ">50K 7,841 24.1%",
		"Sensitive feature sex (0 missing)",
		"GROUP SIZE SHARE POSITIVE BASE RATE REFERENCE DIFFERENCE",
		"Male 21,790 66.9% 6,662 30.6% 49.0% +17.9 pp",
		"Female 10,771 33.1% 1,179 10.9% 51.0% -17.9 pp",
		"Sensitive feature race (0 missing)\nGROUP SIZE SHARE POSITIVE BASE RATE\nWhite 27,816 85.4% 7,117 25.6%\n" +
			"Black 3,124 9.6% 387 12.4%\nAsian-Pac-Islander 1,039 3.2% 276 26.6%\nAmer-Indian-Eskimo 311 1.0% 36 11.6%\nOther 271 0.8% 25 9.2%",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, r.stdout)
		}
	}

	r = sh.ok("", adultArgs(t, "--format", "json")...)
	var res profile.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Rows != 32561 || res.DuplicateRows != 24 || res.RowsWithMissing != 2399 || res.ColumnCount != 15 ||
		res.SHA256 != "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d" {
		t.Errorf("json: %+v", res)
	}
	missing := map[string]int64{}
	for _, c := range res.Columns {
		missing[c.Name] = c.Missing
	}
	if missing["workclass"] != 1836 || missing["occupation"] != 1843 || missing["native-country"] != 583 || missing["age"] != 0 {
		t.Errorf("missing: %v", missing)
	}
	if l := res.Label; l.Values[0] != (profile.LabelValue{Value: "<=50K", Count: 24720, Share: 24720.0 / 32561}) ||
		l.Values[1].Count != 7841 || *l.PositiveRate != 7841.0/32561 {
		t.Errorf("label: %+v", l)
	}
	sex := res.Sensitive[0].Groups
	if sex[0].Value != "Male" || sex[0].Size != 21790 || sex[0].Positives != 6662 || *sex[0].BaseRate != 6662.0/21790 ||
		sex[1].Value != "Female" || sex[1].Size != 10771 || sex[1].Positives != 1179 || *sex[1].BaseRate != 1179.0/10771 {
		t.Errorf("sex: %+v", sex)
	}
	for _, key := range []string{`"duplicate_rows": 24`, `"rows_with_missing": 2399`, `"base_rate": 0.3057365764111978`, `"approximate": false`} {
		if !strings.Contains(r.stdout, key) {
			t.Errorf("json lacks %s", key)
		}
	}
}

// TestDataProfileGerman: space separated, columns named c1…c21 by default.
func TestDataProfileGerman(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	r := sh.ok("", "data", "profile", servicetest.SharedData(t, "german.data"), "--no-header", "--separator", "space",
		"--label", "c21", "--positive", "1", "--sensitive", "c9")
	out := squeeze(r.stdout)
	for _, want := range []string{"Rows 1,000", "Columns 21", "Duplicate rows 0,", "c13 integer 0 53 min 19 mean 35.55 max 75 std 11.38 quartiles 27 / 33 / 42",
		"1 700 70.0%", "2 300 30.0%", "A93 548 54.8% 402 73.4%", "A92 310 31.0% 201 64.8%", "A94 92 9.2% 67 72.8%", "A91 50 5.0% 30 60.0%"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestDataProfileBadFlags: each bad value is refused naming its flag.
func TestDataProfileBadFlags(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	german := servicetest.SharedData(t, "german.data")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "xml"}, `--format must be text or json, not "xml"`},
		{[]string{"--input-format", "xlsx"}, `--input-format must be csv or parquet, not "xlsx"`},
		{[]string{"--separator", "ab"}, `--separator must be one character, tab or space, not "ab"`},
		{[]string{"--reference", "c9"}, `--reference: must be written feature:group=share`},
		{[]string{"--reference", "c9:A91=lots", "--sensitive", "c9"}, `such as sex:Female=0.5: "c9:A91=lots" is not`},
		{[]string{"--reference", "c9:A91=0.5"}, `--reference: "c9" is not a sensitive feature`},
		{[]string{"--reference", "c9:A91=0.7,c9:A92=40%", "--sensitive", "c9"}, "--reference: shares of c9 add up to 1.1, more than 1"},
		{[]string{"--label", "income"}, `--label: no column is named "income" (columns: c1, c2,`},
		{[]string{"--sensitive", "sex"}, `--sensitive: no column is named "sex"`},
		{[]string{"--positive", "1"}, "--positive: needs a label column"},
		{[]string{"--bins", "-2"}, "--bins: must be from 1 to 1000, not -2"},
		{[]string{"--columns", "a,b"}, "--columns: names 2 columns but the file has 21"},
		{[]string{"--input-format", "parquet"}, "german.data: not a Parquet file"},
	} {
		args := append([]string{"data", "profile", german, "--no-header", "--separator", "space"}, tc.args...)
		r := sh.run("", args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	ragged := filepath.Join(t.TempDir(), "ragged.csv")
	os.WriteFile(ragged, []byte("a;b\n1;2\n\n3\n"), 0o600)
	r := sh.run("", "data", "profile", ragged, "--separator", ";")
	if r.code != 1 || r.stderr != "error: ragged.csv: line 4 has 1 fields, expected 2 (one per column)\n" {
		t.Errorf("ragged: exit %d, stderr %q", r.code, r.stderr)
	}
	r = sh.run("", "data", "profile", filepath.Join(t.TempDir(), "nothing.csv"))
	if r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("missing file: exit %d, stderr %q", r.code, r.stderr)
	}
	// a positive label that no row has is most likely a typo
	r = sh.ok("", "data", "profile", german, "--no-header", "--separator", "space", "--label", "c21", "--positive", "good")
	if r.stderr != "warning: no row has the positive label \"good\"; the label values are \"1\", \"2\"\n" {
		t.Errorf("typo in --positive: stderr %q", r.stderr)
	}
}

// TestDataProfileCompletion: the output and input formats complete.
func TestDataProfileCompletion(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	if r := sh.ok("", "__complete", "data", "profile", "x.csv", "--format", ""); !strings.Contains(r.stdout, "text\njson\n") {
		t.Errorf("--format completes %q", r.stdout)
	}
	if r := sh.ok("", "__complete", "data", "profile", "x.csv", "--input-format", ""); !strings.Contains(r.stdout, "csv\nparquet\n") {
		t.Errorf("--input-format completes %q", r.stdout)
	}
	if r := sh.ok("", "data", "profile", "--help"); !strings.Contains(r.stdout, "aims data profile ../shared/data/adult.data --no-header") ||
		!strings.Contains(r.stdout, "german.data") {
		t.Errorf("help lacks examples:\n%s", r.stdout)
	}
}
