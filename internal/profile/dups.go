package profile

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"
)

// rowHash is the first 128 bits of the SHA-256 of a row's canonical bytes.
// Among n distinct rows, the chance that any two share a hash is at most
// n²/2^129: below 10^-24 for a billion rows.
type rowHash struct{ hi, lo uint64 }

func (a rowHash) compare(b rowHash) int {
	return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo))
}

// dupCounter counts duplicate rows from their hashes in bounded memory: it
// keeps up to chunk hashes, sorts them and appends them as one sorted run to a
// temporary file, and at the end merges the runs, counting each hash equal to
// the one before it. Inputs of fewer than chunk rows never touch the disk.
type dupCounter struct {
	chunk int
	buf   []rowHash
	file  *os.File
	out   *bufio.Writer
	runs  []int64 // length of each run in the file, in hashes
}

func newDupCounter(chunk int) *dupCounter {
	return &dupCounter{chunk: chunk}
}

func (d *dupCounter) add(h rowHash) error {
	d.buf = append(d.buf, h)
	if len(d.buf) >= d.chunk {
		return d.spill()
	}
	return nil
}

// spill writes the buffer as one sorted run.
func (d *dupCounter) spill() error {
	if d.file == nil {
		f, err := os.CreateTemp("", "aims-profile-*.hashes")
		if err != nil {
			return err
		}
		d.file, d.out = f, bufio.NewWriterSize(f, 1<<16)
	}
	slices.SortFunc(d.buf, rowHash.compare)
	var b [16]byte
	for _, h := range d.buf {
		binary.BigEndian.PutUint64(b[:8], h.hi)
		binary.BigEndian.PutUint64(b[8:], h.lo)
		if _, err := d.out.Write(b[:]); err != nil {
			return err
		}
	}
	d.runs = append(d.runs, int64(len(d.buf)))
	d.buf = d.buf[:0]
	return nil
}

// count returns the number of rows equal to an earlier row, and removes the temporary file.
func (d *dupCounter) count() (int64, error) {
	defer d.close()
	if d.file == nil {
		slices.SortFunc(d.buf, rowHash.compare)
		var dups int64
		for i := 1; i < len(d.buf); i++ {
			if d.buf[i] == d.buf[i-1] {
				dups++
			}
		}
		return dups, nil
	}
	if len(d.buf) > 0 {
		if err := d.spill(); err != nil {
			return 0, err
		}
	}
	if err := d.out.Flush(); err != nil {
		return 0, err
	}
	return d.merge()
}

// merge reads the sorted runs together, smallest hash first.
func (d *dupCounter) merge() (int64, error) {
	var h runHeap
	var off int64
	bufSize := max(4096, min(1<<16, (32<<20)/len(d.runs))) // at most ~32 MiB of read buffers
	for _, n := range d.runs {
		r := &run{in: bufio.NewReaderSize(io.NewSectionReader(d.file, off*16, n*16), bufSize)}
		off += n
		if ok, err := r.next(); err != nil {
			return 0, err
		} else if ok {
			h = append(h, r)
		}
	}
	heap.Init(&h)
	var dups int64
	var prev rowHash
	first := true
	for len(h) > 0 {
		r := h[0]
		if !first && r.head == prev {
			dups++
		}
		prev, first = r.head, false
		ok, err := r.next()
		if err != nil {
			return 0, err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return dups, nil
}

// close removes the temporary file, if any.
func (d *dupCounter) close() {
	if d.file != nil {
		d.file.Close()
		os.Remove(d.file.Name())
		d.file = nil
	}
}

// run is one sorted run being merged, with its smallest unread hash.
type run struct {
	in   *bufio.Reader
	head rowHash
}

func (r *run) next() (bool, error) {
	var b [16]byte
	if _, err := io.ReadFull(r.in, b[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	r.head = rowHash{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
	return true, nil
}

// runHeap orders runs by their head hash.
type runHeap []*run

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return h[i].head.compare(h[j].head) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*run)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
