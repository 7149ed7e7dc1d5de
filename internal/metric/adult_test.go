package metric_test

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/metric"
	"github.com/aims-dev/aims/internal/servicetest"
)

// adultRow is the part of a UCI Adult row these tests use.
type adultRow struct {
	race, sex string
	eduNum    int
	rich      bool // income >50K
}

func readAdult(t *testing.T) []adultRow {
	t.Helper()
	f, err := os.Open(servicetest.SharedData(t, "adult.data"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []adultRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		cols := strings.Split(line, ",")
		if len(cols) != 15 {
			t.Fatalf("row with %d columns: %q", len(cols), line)
		}
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		edu, err := strconv.Atoi(cols[4])
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, adultRow{race: cols[8], sex: cols[9], eduNum: edu, rich: cols[14] == ">50K"})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// frameFrom tallies a Frame from rows, a group key and a prediction rule.
func frameFrom(rows []adultRow, key func(adultRow) string, pred func(adultRow) bool) metric.Frame {
	by := map[string]*metric.Confusion{}
	var order []string
	var f metric.Frame
	for _, r := range rows {
		var c metric.Confusion
		switch p := pred(r); {
		case p && r.rich:
			c.TP = 1
		case p && !r.rich:
			c.FP = 1
		case !p && r.rich:
			c.FN = 1
		default:
			c.TN = 1
		}
		f.Overall = f.Overall.Add(c)
		k := key(r)
		if by[k] == nil {
			by[k] = &metric.Confusion{}
			order = append(order, k)
		}
		*by[k] = by[k].Add(c)
	}
	for _, k := range order {
		f.Groups = append(f.Groups, metric.Group{Name: k, Confusion: *by[k]})
	}
	return f
}

// The widely published UCI Adult figures (training split): 32,561 rows, 21,790 men and 10,771 women,
// and a >50K base rate of about 0.3057 for men and 0.1095 for women (four decimals, checked to 5e-5).
// With y_pred = y_true the demographic parity of the predictions is that of the labels, which the test
// computes directly from the rows; the Frame must agree to 1e-9.
func TestAdultBaseRatesBySex(t *testing.T) {
	rows := readAdult(t)
	n := map[string]int{}
	pos := map[string]int{}
	for _, r := range rows {
		n[r.sex]++
		if r.rich {
			pos[r.sex]++
		}
	}
	if len(rows) != 32561 || n["Male"] != 21790 || n["Female"] != 10771 {
		t.Fatalf("rows %d, male %d, female %d; want 32561, 21790, 10771", len(rows), n["Male"], n["Female"])
	}
	male := float64(pos["Male"]) / float64(n["Male"])
	female := float64(pos["Female"]) / float64(n["Female"])
	if math.Abs(male-0.3057) > 5e-5 || math.Abs(female-0.1095) > 5e-5 {
		t.Fatalf("base rates male %.6f female %.6f; published 0.3057 and 0.1095", male, female)
	}
	overall := float64(pos["Male"]+pos["Female"]) / float64(len(rows))

	f := frameFrom(rows, func(r adultRow) string { return r.sex }, func(r adultRow) bool { return r.rich })
	checks := []struct {
		name      string
		got, want float64
	}{
		{"dp difference", f.DemographicParityDifference(metric.BetweenGroups), male - female},
		{"dp ratio", f.DemographicParityRatio(metric.BetweenGroups), female / male},
		{"dp difference to_overall", f.DemographicParityDifference(metric.ToOverall), math.Max(math.Abs(male-overall), math.Abs(female-overall))},
		{"dp ratio to_overall", f.DemographicParityRatio(metric.ToOverall), math.Min(female/overall, overall/male)},
		{"AIF360 statistical parity (female unprivileged)", metric.StatisticalParityDifference(groupOf(f, "Female"), groupOf(f, "Male")), female - male},
		{"AIF360 disparate impact", metric.DisparateImpact(groupOf(f, "Female"), groupOf(f, "Male")), female / male},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %.12g, direct %.12g", c.name, c.got, c.want)
		}
	}
	if r, adverse := f.FourFifths(); !adverse || math.Abs(r-female/male) > 1e-9 {
		t.Errorf("four-fifths %v %v", r, adverse)
	}
}

func groupOf(f metric.Frame, name string) metric.Confusion {
	for _, g := range f.Groups {
		if g.Name == name {
			return g.Confusion
		}
	}
	return metric.Confusion{}
}

// A simple rule (predict >50K for a bachelor's degree or more, education-num >= 13) against the labels:
// per-sex TPR and FPR counted directly from the rows, and equalized odds / equal opportunity compared.
func TestAdultEqualizedOddsBySex(t *testing.T) {
	rows := readAdult(t)
	tprNum, tprDen, fprNum, fprDen := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, r := range rows {
		pred := r.eduNum >= 13
		if r.rich {
			tprDen[r.sex]++
			if pred {
				tprNum[r.sex]++
			}
		} else {
			fprDen[r.sex]++
			if pred {
				fprNum[r.sex]++
			}
		}
	}
	tpr := func(s string) float64 { return tprNum[s] / tprDen[s] }
	fpr := func(s string) float64 { return fprNum[s] / fprDen[s] }
	tprDiff := math.Abs(tpr("Male") - tpr("Female"))
	fprDiff := math.Abs(fpr("Male") - fpr("Female"))
	tprRatio := math.Min(tpr("Male"), tpr("Female")) / math.Max(tpr("Male"), tpr("Female"))
	fprRatio := math.Min(fpr("Male"), fpr("Female")) / math.Max(fpr("Male"), fpr("Female"))

	f := frameFrom(rows, func(r adultRow) string { return r.sex }, func(r adultRow) bool { return r.eduNum >= 13 })
	checks := []struct {
		name      string
		got, want float64
	}{
		{"equal opportunity difference", f.EqualOpportunityDifference(metric.BetweenGroups), tprDiff},
		{"equal opportunity ratio", f.EqualOpportunityRatio(metric.BetweenGroups), tprRatio},
		{"equalized odds difference", f.EqualizedOddsDifference(metric.BetweenGroups, metric.WorstCase), math.Max(tprDiff, fprDiff)},
		{"equalized odds difference mean", f.EqualizedOddsDifference(metric.BetweenGroups, metric.Mean), (tprDiff + fprDiff) / 2},
		{"equalized odds ratio", f.EqualizedOddsRatio(metric.BetweenGroups, metric.WorstCase), math.Min(tprRatio, fprRatio)},
		{"AIF360 average odds", metric.AverageOddsDifference(groupOf(f, "Female"), groupOf(f, "Male")),
			0.5 * ((fpr("Female") - fpr("Male")) + (tpr("Female") - tpr("Male")))},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %.12g, direct %.12g", c.name, c.got, c.want)
		}
	}
}

// Intersections race × sex: selection rates per pair computed directly, then max−min, min/max and the
// to_overall forms, against the Frame built with y_pred = (income >50K).
func TestAdultRaceSexIntersection(t *testing.T) {
	rows := readAdult(t)
	n := map[string]float64{}
	pos := map[string]float64{}
	var all, allPos float64
	for _, r := range rows {
		k := r.race + " × " + r.sex
		n[k]++
		all++
		if r.rich {
			pos[k]++
			allPos++
		}
	}
	if len(n) != 10 {
		t.Fatalf("%d race × sex groups, want 10", len(n))
	}
	overall := allPos / all
	lo, hi := math.Inf(1), math.Inf(-1)
	maxDev, minFold := 0.0, math.Inf(1)
	for k := range n {
		sr := pos[k] / n[k]
		lo, hi = math.Min(lo, sr), math.Max(hi, sr)
		maxDev = math.Max(maxDev, math.Abs(sr-overall))
		fold := sr / overall
		if fold > 1 {
			fold = 1 / fold
		}
		minFold = math.Min(minFold, fold)
	}
	f := frameFrom(rows, func(r adultRow) string { return r.race + " × " + r.sex }, func(r adultRow) bool { return r.rich })
	checks := []struct {
		name      string
		got, want float64
	}{
		{"difference", f.DemographicParityDifference(metric.BetweenGroups), hi - lo},
		{"ratio", f.DemographicParityRatio(metric.BetweenGroups), lo / hi},
		{"difference to_overall", f.DemographicParityDifference(metric.ToOverall), maxDev},
		{"ratio to_overall", f.DemographicParityRatio(metric.ToOverall), minFold},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %.12g, direct %.12g", c.name, c.got, c.want)
		}
	}
}
