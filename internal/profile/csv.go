package profile

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// profileCSV reads CSV from r once, hashing the bytes as they are parsed.
//
// Reading follows encoding/csv (RFC 4180 quoting; fields may hold separators
// and newlines when quoted) with these rules: blank lines are skipped; every
// record must have as many fields as there are columns, else the error names
// its line; with a space or tab separator and spaces trimmed, empty fields
// at the end of a line past the last column are dropped (on the first line,
// all of them: a line may end in a separator left by an editor); a UTF-8
// byte order mark before the first field is dropped.
func profileCSV(r io.Reader, size int64, opt Options) (*Result, error) {
	sum := sha256.New()
	in := &countingReader{r: io.TeeReader(r, sum)}
	rd := csv.NewReader(in)
	if opt.Separator != 0 {
		rd.Comma = opt.Separator
	}
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true
	whitespace := (rd.Comma == ' ' || rd.Comma == '\t') && !opt.KeepSpaces
	prog := progress{report: opt.Progress, total: size}

	var p *profiler
	defer func() { p.close() }()
	for first := true; ; first = false {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, badData("line %d: %v", pe.Line, pe.Err)
			}
			return nil, err
		}
		prog.at(in.n)
		if whitespace {
			want := max(1, len(opt.Columns)) // unless named, the first record decides the number of columns
			if p != nil {
				want = len(p.cols)
			}
			for len(rec) > want && rec[len(rec)-1] == "" {
				rec = rec[:len(rec)-1]
			}
		}
		if first {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			if p, err = startCSV(rec, opt); err != nil {
				return nil, err
			}
			if !opt.NoHeader {
				continue
			}
		}
		if len(rec) != len(p.cols) {
			line, _ := rd.FieldPos(0)
			return nil, badData("line %d has %d fields, expected %d (one per column)", line, len(rec), len(p.cols))
		}
		if err := p.add(rec); err != nil {
			return nil, err
		}
	}
	if _, err := io.Copy(io.Discard, in); err != nil { // the parser has read to the end; make sure all is hashed
		return nil, err
	}
	if p == nil { // an empty file: only given names, if any
		var err error
		if p, err = newProfiler(nil, nil, opt); err != nil {
			return nil, err
		}
	}
	prog.at(in.n)
	prog.end()
	res, err := p.result()
	if err != nil {
		return nil, err
	}
	res.Format, res.Bytes, res.SHA256 = "csv", in.n, hex.EncodeToString(sum.Sum(nil))
	res.Read.Separator = string(rd.Comma)
	return res, nil
}

// startCSV names the columns from the first record and makes the profiler.
func startCSV(rec []string, opt Options) (*profiler, error) {
	names := make([]string, len(rec))
	seen := map[string]bool{}
	for i, f := range rec {
		name := "c" + strconv.Itoa(i+1)
		if !opt.NoHeader {
			if !opt.KeepSpaces {
				f = strings.TrimSpace(f)
			}
			if f != "" {
				name = f
			}
			// a repeated name gets a suffix, as pandas does: x, x.1, x.2
			for k, base := 1, name; seen[name]; k++ {
				name = fmt.Sprintf("%s.%d", base, k)
			}
		}
		seen[name] = true
		names[i] = name
	}
	return newProfiler(names, nil, opt)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// progress reports progress about every 1% of total (every MiB when the
// total is unknown), and once at the end.
type progress struct {
	report      func(done, total int64)
	total, done int64
	last        int64
}

func (p *progress) at(done int64) {
	p.done = done
	step := p.total / 100
	if p.total <= 0 {
		step = 1 << 20
	}
	if p.report != nil && done-p.last >= max(step, 1) {
		p.last = done
		p.report(done, max(p.total, done))
	}
}

func (p *progress) end() {
	if p.report != nil {
		p.report(p.done, max(p.total, p.done))
	}
}
