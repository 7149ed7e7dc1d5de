package profile

import (
	"cmp"
	"slices"
	"strings"
)

// labelStats counts the values of the label column.
type labelStats struct {
	col      int
	positive string
	missing  int64
	counts   map[string]int64
}

func (l *labelStats) add(v string, labelled bool, name string) error {
	if !labelled {
		l.missing++
		return nil
	}
	if n, ok := l.counts[v]; ok {
		l.counts[v] = n + 1
		return nil
	}
	if len(l.counts) >= MaxGroups {
		return invalid("label", "column %q has more than %d distinct values: is it a class label?", name, MaxGroups)
	}
	l.counts[strings.Clone(v)] = 1
	return nil
}

// result lists the label values by count, largest first, then by value.
func (l *labelStats) result(name string) *Label {
	res := &Label{Column: name, Positive: l.positive, Missing: l.missing, Values: []LabelValue{}}
	for v, n := range l.counts {
		res.Labelled += n
		res.Values = append(res.Values, LabelValue{Value: v, Count: n})
	}
	for i := range res.Values {
		res.Values[i].Share = *ratio(res.Values[i].Count, res.Labelled)
	}
	slices.SortFunc(res.Values, func(a, b LabelValue) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	if l.positive != "" {
		res.PositiveRate = ratio(l.counts[l.positive], res.Labelled)
		if res.PositiveRate == nil {
			zero := 0.0
			res.PositiveRate = &zero
		}
	}
	return res
}

// featureStats counts, per group of a sensitive feature, its rows, labelled rows and positives.
type featureStats struct {
	col       int
	name      string
	missing   int64
	reference map[string]float64
	groups    map[string]*groupStats
}

type groupStats struct{ size, labelled, positives int64 }

func (f *featureStats) add(v string, gone, labelled, positive bool) error {
	if gone {
		f.missing++
		return nil
	}
	g := f.groups[v]
	if g == nil {
		if len(f.groups) >= MaxGroups {
			return invalid("sensitive", "column %q has more than %d groups: is it a categorical feature?", f.name, MaxGroups)
		}
		g = &groupStats{}
		f.groups[strings.Clone(v)] = g
	}
	g.size++
	if labelled {
		g.labelled++
	}
	if positive {
		g.positives++
	}
	return nil
}

// result lists the groups by size, largest first, then by value; groups in
// the reference but absent from the data are listed with size 0.
func (f *featureStats) result(rates bool) Feature {
	res := Feature{Column: f.name, Missing: f.missing, Groups: []Group{}}
	var present int64
	for _, g := range f.groups {
		present += g.size
	}
	for v := range f.reference {
		if f.groups[v] == nil {
			f.groups[v] = &groupStats{}
		}
	}
	for v, g := range f.groups {
		grp := Group{Value: v, Size: g.size, Labelled: g.labelled, Positives: g.positives}
		if s := ratio(g.size, present); s != nil {
			grp.Share = *s
		}
		if rates {
			grp.BaseRate = ratio(g.positives, g.labelled)
		}
		if ref, ok := f.reference[v]; ok {
			d := grp.Share - ref
			grp.Reference, grp.Difference = &ref, &d
		}
		res.Groups = append(res.Groups, grp)
	}
	slices.SortFunc(res.Groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Size, a.Size), strings.Compare(a.Value, b.Value))
	})
	return res
}
