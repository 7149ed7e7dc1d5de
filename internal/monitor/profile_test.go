package monitor_test

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/monitor"
	"github.com/aims-dev/aims/internal/profile"
	"github.com/aims-dev/aims/internal/servicetest"
)

var adultColumns = []string{"age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
	"relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country", "income"}

// TestDriftAgainstAProfile profiles the UCI Adult training file as a data
// set version, records the first 2,000 people of the Adult test file as
// decisions, and checks the PSI of age against the profile's histogram, by
// a weekly monitor and in the report, against PSI computed here from the
// profile's bins and the test rows.
func TestDriftAgainstAProfile(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env := apptest.New(t, dialect)
			a, ctx := env.App, context.Background()
			owner := ownerOf(t, env)
			setUp(t, env, owner)
			f, err := os.Open(servicetest.SharedData(t, "adult.data"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			up, err := a.Datasets.Receive(ctx, owner, f, "adult.data")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Datasets.Create(ctx, owner, dataset.CreateRequest{Name: "Adult census"}); err != nil {
				t.Fatal(err)
			}
			no := false
			if _, err := a.Datasets.AddVersion(ctx, owner, "DS-1", dataset.VersionRequest{Source: "UCI", Acquisition: "public",
				Licence: "CC BY 4.0", ContainsPersonalData: &no}); err != nil {
				t.Fatal(err)
			}
			v, err := a.Datasets.Profile(ctx, owner, "DS-1@1", dataset.ProfileRequest{Upload: up,
				Options: dataset.ProfileOptions{NoHeader: true, Columns: adultColumns, Missing: []string{"?"}}})
			if err != nil {
				t.Fatal(err)
			}
			// The current ages: the test file's first 2,000 people, over one week.
			tf, err := os.Open(servicetest.SharedData(t, "adult.test"))
			if err != nil {
				t.Fatal(err)
			}
			defer tf.Close()
			start := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC) // a Monday
			var recs []decision.Record
			var ages []float64
			sc := bufio.NewScanner(tf)
			for sc.Scan() && len(recs) < 2000 {
				fields := strings.Split(sc.Text(), ",")
				if len(fields) != 15 {
					continue // the file's first line and blank lines
				}
				age, err := strconv.Atoi(strings.TrimSpace(fields[0]))
				if err != nil {
					t.Fatal(err)
				}
				ages = append(ages, float64(age))
				recs = append(recs, decision.Record{ID: fmt.Sprint("p", len(recs)), Model: "1.0.0",
					Time: start.Add(time.Duration(len(recs)) * 5 * time.Minute), Output: decision.Output{Label: "approve"},
					Inputs: fmt.Appendf(nil, `{"age": %d, "sex": %q}`, age, strings.TrimSpace(fields[9]))})
			}
			if _, err := a.Decisions.Record(ctx, owner, "SYS-1", recs, decision.RecordOptions{}); err != nil {
				t.Fatal(err)
			}
			// PSI over the profile's bins, with a bin below and one above, empty proportions replaced by 1e-4.
			var hist []profile.Bin
			for _, c := range v.Profile.Result.Columns {
				if c.Name == "age" {
					hist = c.Numeric.Histogram
				}
			}
			want := psiOverBins(hist, ages)
			m, err := a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: "Age against training", Metric: monitor.MetricPSI,
				Feature: "age", Window: monitor.WindowWeek, Threshold: 0.1, Direction: monitor.Above, ReferenceDataset: "ds-1@1"})
			if err != nil {
				t.Fatal(err)
			}
			if m.ReferenceDataset != "DS-1@1" {
				t.Fatalf("%+v", m)
			}
			if _, err := a.Monitors.Evaluate(ctx, owner, m.Ref); err != nil {
				t.Fatal(err)
			}
			res, err := a.Monitors.Results(ctx, owner, m.Ref, start, start.AddDate(0, 0, 7))
			if err != nil || len(res) != 1 || res[0].Value == nil || math.Abs(*res[0].Value-want) > 1e-9 || res[0].N != 2000 {
				t.Fatalf("%+v %v, want PSI %v", res, err, want)
			}
			rep, err := a.Monitors.Report(ctx, owner, "SYS-1", monitor.ReportQuery{From: start, To: start.AddDate(0, 0, 7),
				ReferenceDataset: "DS-1@1"})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range rep.Drift {
				for _, dm := range d.Measures {
					if d.Feature == "age" && dm.Method == "psi" {
						found = true
						if math.Abs(dm.Value-want) > 1e-9 || dm.NCur != 2000 || dm.NRef != 32561 {
							t.Errorf("report: %+v, want PSI %v", dm, want)
						}
					}
				}
			}
			if !found || rep.ReferenceDataset != "DS-1@1" {
				t.Errorf("report drift %+v", rep.Drift)
			}
			// A profile column the inputs lack, and a version without a profile, are refused by name.
			_, err = a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: "x", Metric: monitor.MetricPSI, Feature: "salary",
				Window: monitor.WindowWeek, Threshold: 0.1, Direction: monitor.Above, ReferenceDataset: "DS-1@1"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "feature")
			_, err = a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: "x", Metric: monitor.MetricPSI, Feature: "age",
				Window: monitor.WindowWeek, Threshold: 0.1, Direction: monitor.Above, ReferenceDataset: "DS-9@1"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "reference_dataset")
			// A profile keeps bins, not values: KS cannot be measured against it, nor chi-square of a numeric column.
			for _, m := range []string{monitor.MetricKS, monitor.MetricKSP, monitor.MetricChiSquare} {
				_, err = a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: "x", Metric: m, Feature: "age",
					Window: monitor.WindowWeek, Threshold: 0.1, Direction: monitor.Above, ReferenceDataset: "DS-1@1"})
				servicetest.WantFields(t, err, aims.CodeInvalid, "metric")
			}
		})
	}
}

// psiOverBins computes PSI of values against a histogram directly:
// proportions per bin, a bin below and one above, 1e-4 for empty ones.
func psiOverBins(hist []profile.Bin, values []float64) float64 {
	ref := []float64{0}
	cur := make([]float64, len(hist)+2)
	total := 0.0
	for _, b := range hist {
		ref = append(ref, float64(b.Count))
		total += float64(b.Count)
	}
	ref = append(ref, 0)
	for _, v := range values {
		i := 0
		switch last := hist[len(hist)-1]; {
		case v < hist[0].Low:
			i = 0
		case v > last.High:
			i = len(hist) + 1
		default:
			for j, b := range hist {
				if v >= b.Low && (v < b.High || (j == len(hist)-1 && v <= b.High)) {
					i = j + 1
					break
				}
			}
		}
		cur[i]++
	}
	psi := 0.0
	for i := range ref {
		r, c := ref[i]/total, cur[i]/float64(len(values))
		if r == 0 {
			r = 1e-4
		}
		if c == 0 {
			c = 1e-4
		}
		psi += (r - c) * math.Log(r/c)
	}
	return psi
}
