package profile

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// adultRow is a row of adult.data in Parquet: integers as INT64, text as
// optional strings, null where the CSV has '?'.
type adultRow struct {
	Age           int64   `parquet:"age"`
	Workclass     *string `parquet:"workclass,optional"`
	Fnlwgt        int64   `parquet:"fnlwgt"`
	Education     *string `parquet:"education,optional"`
	EducationNum  int64   `parquet:"education-num"`
	MaritalStatus *string `parquet:"marital-status,optional"`
	Occupation    *string `parquet:"occupation,optional"`
	Relationship  *string `parquet:"relationship,optional"`
	Race          *string `parquet:"race,optional"`
	Sex           *string `parquet:"sex,optional"`
	CapitalGain   int64   `parquet:"capital-gain"`
	CapitalLoss   int64   `parquet:"capital-loss"`
	HoursPerWeek  int64   `parquet:"hours-per-week"`
	NativeCountry *string `parquet:"native-country,optional"`
	Income        *string `parquet:"income,optional"`
}

// writeAdultParquet converts adult.data to a Parquet file of several row groups.
func writeAdultParquet(t *testing.T) string {
	t.Helper()
	in, err := os.Open(sharedData(t, "adult.data"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	recs, err := csv.NewReader(in).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string {
		if s = strings.TrimSpace(s); s == "?" {
			return nil
		}
		return &s
	}
	num := func(s string) int64 {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	rows := make([]adultRow, 0, len(recs))
	for _, r := range recs {
		rows = append(rows, adultRow{num(r[0]), str(r[1]), num(r[2]), str(r[3]), num(r[4]), str(r[5]), str(r[6]), str(r[7]),
			str(r[8]), str(r[9]), num(r[10]), num(r[11]), num(r[12]), str(r[13]), str(r[14])})
	}
	path := filepath.Join(t.TempDir(), "adult.parquet")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[adultRow](out, parquet.MaxRowsPerRowGroup(10000))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		st, _ := f.Stat()
		if pf, err := parquet.OpenFile(f, st.Size()); err != nil || len(pf.RowGroups()) < 2 {
			t.Fatalf("want several row groups: %v", err)
		}
	}
	return path
}

// TestParquetGivesTheCSVFigures: adult.data as Parquet, with nulls for '?',
// has exactly the CSV profile, except for what describes the file itself.
func TestParquetGivesTheCSVFigures(t *testing.T) {
	path := writeAdultParquet(t)
	opt := Options{Label: "income", Positive: ">50K", Sensitive: []string{"sex", "race"}}
	var calls, last int64
	opt.Progress = func(done, total int64) { calls, last = calls+1, done }
	pq, err := ProfileFile(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := ProfileFile(sharedData(t, "adult.data"), adultOptions())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	sum := sha256.Sum256(raw)
	eq(t, "format", pq.Format, "parquet")
	eq(t, "sha256", pq.SHA256, hex.EncodeToString(sum[:]))
	eq(t, "bytes", pq.Bytes, int64(len(raw)))
	eq(t, "rows", pq.Rows, int64(32561))
	eq(t, "duplicates", pq.DuplicateRows, int64(24))
	eq(t, "occupation missing", col(t, pq, "occupation").Missing, int64(1843))
	if calls < 2 || calls > 110 || last != 32561 {
		t.Errorf("progress: %d calls, last %d", calls, last)
	}
	pq.File, pq.Bytes, pq.SHA256, pq.Format, pq.Read = "", 0, "", "", ReadSpec{}
	cv.File, cv.Bytes, cv.SHA256, cv.Format, cv.Read = "", 0, "", "", ReadSpec{}
	eq(t, "profile", pq, cv)
}

// TestParquetRefusesNested: only flat tables are profiled.
func TestParquetRefusesNested(t *testing.T) {
	type inner struct{ A, B int64 }
	type row struct {
		ID  int64 `parquet:"id"`
		Sub inner `parquet:"sub"`
	}
	path := filepath.Join(t.TempDir(), "nested.parquet")
	f, _ := os.Create(path)
	w := parquet.NewGenericWriter[row](f)
	if _, err := w.Write([]row{{1, inner{2, 3}}}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.Close()
	_, err := ProfileFile(path, Options{})
	if err == nil || !strings.Contains(err.Error(), `column "sub" is nested or repeated`) {
		t.Errorf("nested: %v", err)
	}
	if _, err := ProfileFile(sharedData(t, "german.data"), Options{Format: "parquet"}); err == nil ||
		!strings.Contains(err.Error(), "not a Parquet file") {
		t.Errorf("CSV read as Parquet: %v", err)
	}
}
