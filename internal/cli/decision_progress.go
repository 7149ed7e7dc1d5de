package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// pushPlainEvery is how often a push prints a progress line when stderr is
// not a terminal.
var pushPlainEvery = 10 * time.Second

// progress shows how a push advances: a redrawn bar on a terminal, a plain
// line now and then otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	// total is the input's size in bytes; -1 when unknown (standard input).
	total       int64
	startOffset int64
	// startRecs is how many records earlier runs acknowledged.
	startRecs   int64
	start, last time.Time
	drawn       bool
}

func newProgress(w io.Writer, quiet bool, total, offset, records int64) *progress {
	p := &progress{w: w, quiet: quiet, total: total, startOffset: offset, startRecs: records, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	p.last = p.start
	return p
}

// update reports that records records up to byte offset are acknowledged.
func (p *progress) update(records, offset int64) {
	if p.quiet {
		return
	}
	now := time.Now()
	every := pushPlainEvery
	if p.tty {
		every = 200 * time.Millisecond
	}
	if now.Sub(p.last) < every {
		return
	}
	p.last = now
	line := p.line(records, offset, now)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// line describes the progress for people.
func (p *progress) line(records, offset int64, now time.Time) string {
	elapsed := now.Sub(p.start).Seconds()
	sent := offset - p.startOffset
	var b strings.Builder
	if p.total > 0 {
		frac := float64(offset) / float64(p.total)
		const width = 24
		done := int(frac * width)
		b.WriteString("[" + strings.Repeat("=", done) + strings.Repeat(" ", width-done) + "] ")
		fmt.Fprintf(&b, "%5.1f%%  %d records  %s/%s", frac*100, records, mib(offset), mib(p.total))
	} else {
		fmt.Fprintf(&b, "%d records  %s", records, mib(offset))
	}
	if elapsed > 0 {
		fmt.Fprintf(&b, "  %.0f records/s", float64(records-p.startRecs)/elapsed)
		if p.total > 0 && sent > 0 {
			eta := time.Duration(float64(p.total-offset) / (float64(sent) / elapsed) * float64(time.Second))
			fmt.Fprintf(&b, "  ETA %s", eta.Round(time.Second))
		}
	}
	return b.String()
}

// clear removes a drawn bar so that a message can be printed.
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// out clears the bar and returns where messages go.
func (p *progress) out() io.Writer {
	p.clear()
	return p.w
}

// finish removes the bar at the end of a push.
func (p *progress) finish() { p.clear() }
