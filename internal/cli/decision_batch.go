package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// pushBatch is a run of consecutive records of the input, as one request body.
type pushBatch struct {
	body []byte
	// For each record: its line in the input, where it ends in body and
	// where it ends in the input.
	lines    []int64
	ends     []int
	fileEnds []int64
	// endLine is the number of lines up to the batch's last record.
	endLine int64
}

func (b *pushBatch) len() int { return len(b.lines) }

// split cuts a batch after its first n records, 0 < n < b.len().
func (b *pushBatch) split(n int) (*pushBatch, *pushBatch) {
	cut := b.ends[n-1]
	first := &pushBatch{body: b.body[:cut:cut], lines: b.lines[:n], ends: b.ends[:n], fileEnds: b.fileEnds[:n], endLine: b.lines[n-1]}
	second := &pushBatch{body: b.body[cut:], lines: b.lines[n:], fileEnds: b.fileEnds[n:], endLine: b.endLine}
	second.ends = make([]int, b.len()-n)
	for i, e := range b.ends[n:] {
		second.ends[i] = e - cut
	}
	return first, second
}

// chunks cuts a batch into batches of at most n records.
func (b *pushBatch) chunks(n int) []*pushBatch {
	var out []*pushBatch
	for b.len() > n {
		var first *pushBatch
		first, b = b.split(n)
		out = append(out, first)
	}
	return append(out, b)
}

// lineReader cuts NDJSON input into batches, keeping line numbers and byte
// offsets so that the server's positions can be named by line and a push
// can continue from the last acknowledged byte.
type lineReader struct {
	r       *bufio.Reader
	name    string
	offset  int64 // bytes consumed
	line    int64 // lines consumed
	scratch []byte
	// A record read but left for the next batch.
	pending     []byte
	pendingLine int64
	pendingEnd  int64
	hasPending  bool
}

func newLineReader(r io.Reader, name string, offset, line int64) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 1<<20), name: name, offset: offset, line: line}
}

// record returns the next non-blank line, its number and the offset after
// it, or io.EOF. It refuses lines longer than limit and lines that are not
// JSON objects.
func (lr *lineReader) record(limit int64) ([]byte, int64, int64, error) {
	if lr.hasPending {
		lr.hasPending = false
		return lr.pending, lr.pendingLine, lr.pendingEnd, nil
	}
	for {
		lr.scratch = lr.scratch[:0]
		var err error
		for {
			var frag []byte
			frag, err = lr.r.ReadSlice('\n')
			lr.offset += int64(len(frag))
			if int64(len(lr.scratch)) <= limit {
				lr.scratch = append(lr.scratch, frag...)
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return nil, 0, 0, fmt.Errorf("cannot read %s: %w", lr.name, err)
		}
		if len(lr.scratch) == 0 && err == io.EOF {
			return nil, 0, 0, io.EOF
		}
		lr.line++
		rec := bytes.TrimSpace(lr.scratch)
		if len(rec) == 0 {
			if err == io.EOF {
				return nil, 0, 0, io.EOF
			}
			continue
		}
		if int64(len(rec))+1 > limit {
			return nil, 0, 0, fmt.Errorf("%s line %d is longer than one request may carry (%d bytes); raise --max-bytes if the server allows more", lr.name, lr.line, limit)
		}
		if rec[0] != '{' || !json.Valid(rec) {
			hint := ""
			if lr.line == 1 && rec[0] == '[' {
				hint = "; the file looks like a JSON array, but push reads NDJSON, one record a line (convert it with: jq -c '.[]' FILE)"
			}
			return nil, 0, 0, fmt.Errorf("%s line %d is not a JSON object%s", lr.name, lr.line, hint)
		}
		return rec, lr.line, lr.offset, nil
	}
}

// next reads the next batch of at most records records and maxBytes bytes;
// it returns nil at the end of the input.
func (lr *lineReader) next(records int, maxBytes int64) (*pushBatch, error) {
	b := &pushBatch{}
	for b.len() < records {
		rec, line, end, err := lr.record(maxBytes)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if b.len() > 0 && int64(len(b.body)+len(rec)+1) > maxBytes {
			lr.pending = append(lr.pending[:0], rec...)
			lr.pendingLine, lr.pendingEnd, lr.hasPending = line, end, true
			break
		}
		b.body = append(b.body, rec...)
		b.body = append(b.body, '\n')
		b.lines = append(b.lines, line)
		b.ends = append(b.ends, len(b.body))
		b.fileEnds = append(b.fileEnds, end)
		b.endLine = line
	}
	if b.len() == 0 {
		return nil, nil
	}
	return b, nil
}
