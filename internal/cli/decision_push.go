package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/decision"
)

// Push defaults: a batch stays well under the server's default limits of
// 10,000 records and 32 MiB a request.
const (
	pushDefaultBatch = 5000
	pushDefaultBytes = 32 << 20
	pushHeadBytes    = 1 << 20
	pushStateSuffix  = ".push-state"
	pushStateVersion = 1
)

// pushBackoff is the first pause before a retry; it doubles with every
// attempt. Tests shorten it.
var pushBackoff = 500 * time.Millisecond

// pushKind says what a push sends and where.
type pushKind struct {
	name string // decisions or outcomes, also the last element of the path
	noun string // what one line holds, for messages
}

var (
	pushDecisions = pushKind{name: "decisions", noun: "decision records"}
	pushOutcomes  = pushKind{name: "outcomes", noun: "outcomes"}
)

// pushOptions are a push command's flags.
type pushOptions struct {
	file     string
	system   string
	batch    int
	maxBytes int64
	partial  bool
	restart  bool
	retries  int
	quiet    bool
	output   string
}

// pushState is what the state file beside the input remembers after every
// acknowledged batch, so that an interrupted push continues where the
// server's acknowledgements end.
type pushState struct {
	Version int    `json:"version"`
	Kind    string `json:"kind"`
	Server  string `json:"server"`
	System  string `json:"system"`
	// Size, ModTime and Head identify the input: its length, modification
	// time and the hex SHA-256 of its first MiB.
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	Head    string    `json:"head_sha256"`
	// Offset is the byte offset up to which every record was acknowledged;
	// Line is the number of lines before it.
	Offset     int64     `json:"offset"`
	Line       int64     `json:"line"`
	Records    int64     `json:"records"`
	Accepted   int64     `json:"accepted"`
	Duplicates int64     `json:"duplicates"`
	Rejected   int64     `json:"rejected"`
	LogSize    *int64    `json:"log_size,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// pushSummary is what a finished push reports.
type pushSummary struct {
	System     string `json:"system"`
	File       string `json:"file"`
	Records    int64  `json:"records"`
	Accepted   int64  `json:"accepted"`
	Duplicates int64  `json:"duplicates"`
	Rejected   int64  `json:"rejected"`
	LogSize    *int64 `json:"log_size,omitempty"`
	Resumed    bool   `json:"resumed"`
}

// pushAnswer is the server's answer to a batch of decisions or outcomes.
type pushAnswer struct {
	Size       *int64            `json:"size"`
	Accepted   int64             `json:"accepted"`
	Duplicates int64             `json:"duplicates"`
	Rejected   int64             `json:"rejected"`
	Results    []decision.Result `json:"results"`
}

// pusher sends one input to the server.
type pusher struct {
	e     env
	c     *client
	kind  pushKind
	opts  pushOptions
	path  string
	state pushState
	// statePath is empty when reading standard input, which cannot resume.
	statePath string
	prog      *progress
	// rejected lists bad records of a partial push, by line.
	rejected []string
}

// stateFile is where the state of a push of file is kept.
func stateFile(file string) string { return file + pushStateSuffix }

// fileIdentity describes the input as the state file records it.
func fileIdentity(f *os.File) (size int64, mod time.Time, head string, err error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, time.Time{}, "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, pushHeadBytes)); err != nil {
		return 0, time.Time{}, "", err
	}
	return fi.Size(), fi.ModTime().UTC(), hex.EncodeToString(h.Sum(nil)), nil
}

// loadState reads the state of an earlier push of the same input, or returns
// nil (saying why on stderr) when there is none that fits.
func (p *pusher) loadState(fresh pushState) *pushState {
	b, err := os.ReadFile(p.statePath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	warn := func(why string) *pushState {
		fmt.Fprintf(p.e.stderr, "note: ignoring %s: %s; starting from the beginning (records stored before are counted as duplicates)\n", p.statePath, why)
		return nil
	}
	if err != nil {
		return warn(err.Error())
	}
	var s pushState
	if err := json.Unmarshal(b, &s); err != nil || s.Version != pushStateVersion {
		return warn("it is not a push state this version understands")
	}
	switch {
	case s.Kind != fresh.Kind:
		return warn("it is the state of a push of " + s.Kind)
	case !strings.EqualFold(s.System, fresh.System):
		return warn("it is the state of a push to " + s.System)
	case s.Server != fresh.Server:
		return warn("it is the state of a push to the server " + s.Server)
	case s.Size != fresh.Size || s.Head != fresh.Head:
		return warn(p.opts.file + " changed since")
	case s.Offset < 0 || s.Offset > s.Size:
		return warn("its offset lies outside the file")
	}
	return &s
}

// saveState writes the state file atomically.
func (p *pusher) saveState() error {
	if p.statePath == "" {
		return nil
	}
	p.state.UpdatedAt = time.Now().UTC()
	b, err := json.MarshalIndent(p.state, "", "  ")
	if err != nil {
		return err
	}
	tmp := p.statePath + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write the push state: %w", err)
	}
	if err := os.Rename(tmp, p.statePath); err != nil {
		return fmt.Errorf("cannot write the push state: %w", err)
	}
	return nil
}

// runPush streams the input to the server in batches, resuming from a
// matching state file.
func runPush(ctx context.Context, e env, c *client, kind pushKind, opts pushOptions) error {
	if opts.batch < 1 {
		return errors.New("--batch must be at least 1")
	}
	if opts.maxBytes < 1024 {
		return errors.New("--max-bytes must be at least 1024")
	}
	if opts.retries < 0 {
		return errors.New("--retries must not be negative")
	}
	if err := checkOutput(opts.output); err != nil {
		return err
	}
	p := &pusher{e: e, c: c, kind: kind, opts: opts,
		path: "/api/v1/systems/" + url.PathEscape(strings.TrimSpace(opts.system)) + "/" + kind.name}
	p.state = pushState{Version: pushStateVersion, Kind: kind.name, Server: c.base, System: strings.TrimSpace(opts.system)}
	var in io.Reader
	total := int64(-1)
	resumed := false
	if opts.file == "-" {
		in = e.stdin
	} else {
		f, err := os.Open(opts.file)
		if err != nil {
			return err
		}
		defer f.Close()
		if p.state.Size, p.state.ModTime, p.state.Head, err = fileIdentity(f); err != nil {
			return fmt.Errorf("cannot read %s: %w", opts.file, err)
		}
		total = p.state.Size
		p.statePath = stateFile(opts.file)
		if opts.restart {
			_ = os.Remove(p.statePath)
		} else if s := p.loadState(p.state); s != nil {
			s.ModTime = p.state.ModTime
			p.state, resumed = *s, true
			fmt.Fprintf(e.stderr, "resuming the push of %s from line %d (byte %d of %d): %d %s were acknowledged before; --restart starts over\n",
				opts.file, s.Line+1, s.Offset, s.Size, s.Records, kind.noun)
		}
		if _, err := f.Seek(p.state.Offset, io.SeekStart); err != nil {
			return err
		}
		in = f
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p.prog = newProgress(e.stderr, opts.quiet, total, p.state.Offset, p.state.Records)
	lr := newLineReader(in, displayName(opts.file), p.state.Offset, p.state.Line)
	if err := p.loop(ctx, lr); err != nil {
		p.prog.clear()
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		return p.stopped(err)
	}
	p.prog.finish()
	if p.statePath != "" {
		if err := os.Remove(p.statePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return p.summary(resumed)
}

// loop sends batches until the input ends.
func (p *pusher) loop(ctx context.Context, lr *lineReader) error {
	var queue []*pushBatch
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var b *pushBatch
		if len(queue) > 0 {
			b, queue = queue[0], queue[1:]
		} else {
			var err error
			if b, err = lr.next(p.opts.batch, p.opts.maxBytes); err != nil {
				return err
			}
			if b == nil {
				return nil
			}
		}
		ans, err := p.send(ctx, b)
		var tb tooBig
		if errors.As(err, &tb) && b.len() > 1 {
			n := b.len() / 2
			if tb.records > 0 && tb.records < b.len() {
				n = tb.records
			} else {
				// The server named no record limit: the body was too large.
				p.opts.maxBytes = max(1024, int64(len(b.body))/2)
			}
			queue = append(b.chunks(n), queue...)
			p.opts.batch = min(p.opts.batch, n)
			fmt.Fprintf(p.prog.out(), "note: the server refused a batch of %d records as too big; sending at most %d records and %d bytes a request\n",
				b.len(), p.opts.batch, p.opts.maxBytes)
			continue
		}
		if err != nil {
			return p.explain(err, b)
		}
		p.acknowledge(b, ans)
		if err := p.saveState(); err != nil {
			return err
		}
		p.prog.update(p.state.Records, p.state.Offset)
	}
}

// acknowledge counts a batch the server answered.
func (p *pusher) acknowledge(b *pushBatch, ans *pushAnswer) {
	s := &p.state
	s.Offset = b.fileEnds[b.len()-1]
	s.Line = b.endLine
	s.Records += int64(b.len())
	s.Accepted += ans.Accepted
	s.Duplicates += ans.Duplicates
	s.Rejected += ans.Rejected
	if ans.Size != nil {
		s.LogSize = ans.Size
	}
	for _, r := range ans.Results {
		if len(r.Errors) == 0 || r.Position < 0 || r.Position >= b.len() {
			continue
		}
		for _, fe := range r.Errors {
			p.rejected = append(p.rejected, fmt.Sprintf("line %d: %s: %s", b.lines[r.Position], stripPosition(fe.Field), batchWhere.ReplaceAllString(fe.Message, "")))
		}
	}
}

// stopped explains where an unfinished push stands.
func (p *pusher) stopped(err error) error {
	p.reportRejected()
	if p.statePath != "" && p.state.Records == 0 && p.state.Offset == 0 {
		_ = os.Remove(p.statePath)
	}
	if p.state.Records == 0 {
		return err
	}
	printError(p.e.stderr, err)
	fmt.Fprintf(p.e.stderr, "%d %s up to line %d were acknowledged", p.state.Records, p.kind.noun, p.state.Line)
	if p.statePath != "" {
		fmt.Fprintf(p.e.stderr, "; run the same command again to continue from line %d", p.state.Line+1)
	}
	fmt.Fprintln(p.e.stderr)
	return exitError{code: 1}
}

func (p *pusher) reportRejected() {
	if len(p.rejected) == 0 {
		return
	}
	fmt.Fprintf(p.e.stderr, "%d problem(s) in rejected records:\n", len(p.rejected))
	for i, r := range p.rejected {
		if i == 50 {
			fmt.Fprintf(p.e.stderr, "  … and %d more\n", len(p.rejected)-i)
			break
		}
		fmt.Fprintf(p.e.stderr, "  %s\n", r)
	}
}

// summary prints what the whole push did.
func (p *pusher) summary(resumed bool) error {
	s := p.state
	sum := pushSummary{System: s.System, File: p.opts.file, Records: s.Records, Accepted: s.Accepted,
		Duplicates: s.Duplicates, Rejected: s.Rejected, LogSize: s.LogSize, Resumed: resumed}
	p.reportRejected()
	if p.opts.output == "json" {
		return writeJSON(p.e.stdout, sum)
	}
	fmt.Fprintf(p.e.stdout, "pushed %d %s from %s to %s: %d accepted, %d duplicates, %d rejected\n",
		s.Records, p.kind.noun, displayName(p.opts.file), s.System, s.Accepted, s.Duplicates, s.Rejected)
	if s.LogSize != nil {
		fmt.Fprintf(p.e.stdout, "the decision log of %s holds %d decisions\n", s.System, *s.LogSize)
	}
	return nil
}

// tooBig is the server's refusal of a batch larger than it takes.
type tooBig struct {
	records int // the most records a batch may hold, when the server said
	err     error
}

func (t tooBig) Error() string { return t.err.Error() }

// atMostRecords finds the limit in a refusal of a batch with too many records.
var atMostRecords = regexp.MustCompile(`hold at most (\d+)`)

// batchWhere finds where in the request body the server says a problem is,
// which the line in the file replaces.
var batchWhere = regexp.MustCompile(`\s*\((line|at byte) \d+\)`)

// send posts one batch, retrying transient failures with backoff.
func (p *pusher) send(ctx context.Context, b *pushBatch) (*pushAnswer, error) {
	path := p.path
	if p.opts.partial && p.kind == pushDecisions {
		path += "?partial=true"
	}
	for attempt := 0; ; attempt++ {
		status, header, data, err := p.c.exchange(ctx, "POST", path, "application/x-ndjson", b.body)
		if err == nil && status < 300 {
			var ans pushAnswer
			if err := json.Unmarshal(data, &ans); err != nil {
				return nil, fmt.Errorf("unexpected answer from the server: %w", err)
			}
			return &ans, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var wait time.Duration
		retry := false
		switch {
		case err != nil:
			retry, wait = true, backoff(attempt)
		case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
			retry, wait = true, retryAfter(header.Get("Retry-After"), backoff(attempt))
		case status >= 500:
			retry, wait = true, backoff(attempt)
		}
		if err == nil {
			err = problemError(status, data)
			if status == http.StatusRequestEntityTooLarge {
				return nil, tooBig{err: err}
			}
			if status == http.StatusUnprocessableEntity {
				if m := atMostRecords.FindSubmatch(data); m != nil && len(positions(data)) == 0 {
					n, _ := strconv.Atoi(string(m[1]))
					return nil, tooBig{records: n, err: err}
				}
			}
		}
		if !retry || attempt >= p.opts.retries {
			if retry && p.opts.retries > 0 {
				err = fmt.Errorf("giving up after %d attempts: %w", attempt+1, err)
			}
			return nil, err
		}
		fmt.Fprintf(p.prog.out(), "note: %v; retrying in %s (attempt %d of %d)\n", err, wait.Round(time.Millisecond), attempt+2, p.opts.retries+1)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// backoff is the pause before retry attempt+1: doubling, capped at 30
// seconds, with some jitter so that many clients do not retry in step.
func backoff(attempt int) time.Duration {
	d := pushBackoff << min(attempt, 6)
	d = min(d, 30*time.Second)
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date,
// capped at five minutes.
func retryAfter(v string, def time.Duration) time.Duration {
	if v == "" {
		return def
	}
	var d time.Duration
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	} else {
		return def
	}
	return max(min(d, 5*time.Minute), pushBackoff)
}

// positionPattern finds a record's position in a problem location such as
// body[3].time or body.[3].time.
var positionPattern = regexp.MustCompile(`\[(\d+)\]`)

// positions returns the record positions a problem's locations name.
func positions(data []byte) []int {
	var pr problem
	if json.Unmarshal(data, &pr) != nil {
		return nil
	}
	var out []int
	for _, fe := range pr.Errors {
		if m := positionPattern.FindStringSubmatch(fe.Location); m != nil {
			n, _ := strconv.Atoi(m[1])
			out = append(out, n)
		}
	}
	return out
}

// stripPosition turns a location such as body[3].output.score into the
// field's name within the record, output.score.
func stripPosition(loc string) string {
	if m := positionPattern.FindStringIndex(loc); m != nil {
		loc = strings.TrimPrefix(loc[m[1]:], ".")
	}
	if loc == "" {
		return "record"
	}
	return loc
}

// explain names the lines of the records a refused batch's problems concern.
func (p *pusher) explain(err error, b *pushBatch) error {
	var ae *aims.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return err
	}
	out := &aims.Error{Code: ae.Code, Message: ae.Message}
	for _, fe := range ae.Fields {
		m := positionPattern.FindStringSubmatch(fe.Field)
		if m == nil {
			out.Fields = append(out.Fields, fe)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		field := fe.Field
		if n >= 0 && n < b.len() {
			field = fmt.Sprintf("line %d: %s", b.lines[n], stripPosition(fe.Field))
		}
		out.Fields = append(out.Fields, aims.FieldError{Field: field, Message: batchWhere.ReplaceAllString(fe.Message, "")})
	}
	where := fmt.Sprintf("lines %d to %d", b.lines[0], b.endLine)
	if b.len() == 1 {
		where = fmt.Sprintf("line %d", b.endLine)
	}
	return fmt.Errorf("the server refused %s of %s: %w", where, displayName(p.opts.file), out)
}

// exchange sends a request with a body as it is and returns the answer's status,
// headers and body; only a failure to talk to the server is an error.
func (c *client) exchange(ctx context.Context, method, path, contentType string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", contentType)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("cannot reach the aims server: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("the aims server's answer broke off: %w", err)
	}
	return resp.StatusCode, resp.Header, data, nil
}

func displayName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return filepath.Base(file)
}
