package profile

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
)

// profiler accumulates rows of text fields, whatever the file format.
type profiler struct {
	opt     Options
	names   []string
	cols    []*column
	missing []string
	dups    *dupCounter
	labels  *labelStats // nil without a label
	feats   []*featureStats

	rows, rowsWithMissing int64
	gone                  []bool // per field of the current row: missing
	canon                 []byte // canonical bytes of the current row
}

// newProfiler checks the options against the column names and prepares the
// accumulators; types, when given (Parquet), fix each column's type.
func newProfiler(names []string, types []Type, opt Options) (*profiler, error) {
	var probs aims.Problems
	if len(opt.Columns) > 0 {
		if len(opt.Columns) != len(names) && len(names) > 0 {
			return nil, invalid("columns", "names %d columns but the file has %d", len(opt.Columns), len(names))
		}
		names = opt.Columns
	}
	index := make(map[string]int, len(names))
	for i, n := range names {
		if _, dup := index[n]; dup && !probs.Has("columns") {
			probs.Add("columns", "name %q more than once", n)
		}
		index[n] = i
	}
	p := &profiler{opt: opt, names: names, dups: newDupCounter(opt.chunk()), gone: make([]bool, len(names))}
	for _, m := range opt.Missing {
		if !opt.KeepSpaces {
			m = strings.TrimSpace(m)
		}
		if m != "" && !slices.Contains(p.missing, m) {
			p.missing = append(p.missing, m)
		}
	}
	for i, n := range names {
		c := newColumn(n, opt.cap())
		if types != nil {
			c.fix(types[i])
		}
		p.cols = append(p.cols, c)
	}
	if opt.Label != "" {
		if i, ok := index[opt.Label]; ok {
			positive := opt.Positive
			if !opt.KeepSpaces {
				positive = strings.TrimSpace(positive)
			}
			p.labels = &labelStats{col: i, positive: positive, counts: map[string]int64{}}
		} else {
			probs.Add("label", "no column is named %q (columns: %s)", opt.Label, list(names))
		}
	}
	for _, s := range opt.Sensitive {
		if i, ok := index[s]; ok {
			p.feats = append(p.feats, &featureStats{col: i, name: s, reference: opt.Reference[s], groups: map[string]*groupStats{}})
		} else if !probs.Has("sensitive") {
			probs.Add("sensitive", "no column is named %q (columns: %s)", s, list(names))
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// list shows column names in an error message, the first few only.
func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	if len(names) > 20 {
		return strings.Join(names[:20], ", ") + ", …"
	}
	return strings.Join(names, ", ")
}

// add profiles one row; fields has one entry per column and an empty field is missing.
func (p *profiler) add(fields []string) error {
	p.rows++
	p.canon = p.canon[:0]
	anyMissing := false
	for i, f := range fields {
		if !p.opt.KeepSpaces {
			f = strings.TrimSpace(f)
			fields[i] = f
		}
		gone := f == "" || slices.Contains(p.missing, f)
		p.gone[i] = gone
		if gone {
			anyMissing = true
			p.cols[i].missing++
			p.canon = append(p.canon, 0)
			continue
		}
		p.cols[i].add(f)
		p.canon = append(p.canon, 1)
		p.canon = binary.AppendUvarint(p.canon, uint64(len(f)))
		p.canon = append(p.canon, f...)
	}
	if anyMissing {
		p.rowsWithMissing++
	}
	sum := sha256.Sum256(p.canon)
	if err := p.dups.add(rowHash{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])}); err != nil {
		return err
	}
	if p.labels == nil && len(p.feats) == 0 {
		return nil
	}
	label, labelled, positive := "", false, false
	if p.labels != nil {
		label, labelled = fields[p.labels.col], !p.gone[p.labels.col]
		positive = labelled && label == p.labels.positive
		if err := p.labels.add(label, labelled, p.names[p.labels.col]); err != nil {
			return err
		}
	}
	for _, f := range p.feats {
		if err := f.add(fields[f.col], p.gone[f.col], labelled, positive); err != nil {
			return err
		}
	}
	return nil
}

// result finishes the profile; it removes the temporary files in every case.
func (p *profiler) result() (*Result, error) {
	dups, err := p.dups.count()
	if err != nil {
		return nil, fmt.Errorf("cannot count duplicate rows: %w", err)
	}
	res := &Result{
		Rows: p.rows, ColumnCount: len(p.cols), RowsWithMissing: p.rowsWithMissing, DuplicateRows: dups,
		Read:    ReadSpec{Header: !p.opt.NoHeader, KeepSpaces: p.opt.KeepSpaces, Missing: append([]string{}, p.missing...)},
		Columns: make([]Column, 0, len(p.cols)),
	}
	for _, c := range p.cols {
		res.Columns = append(res.Columns, c.result(p.opt.bins()))
	}
	if p.labels != nil {
		res.Label = p.labels.result(p.names[p.labels.col])
	}
	for _, f := range p.feats {
		res.Sensitive = append(res.Sensitive, f.result(p.labels != nil && p.labels.positive != ""))
	}
	return res, nil
}

// close releases the temporary files of a profile abandoned on an error.
func (p *profiler) close() {
	if p != nil {
		p.dups.close()
	}
}
