package decision_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// The crash and two-process tests start this test binary again as a child
// that ingests decisions; these variables tell it what to do.
const (
	childEnv     = "AIMS_DECISION_CRASH_CHILD"   // set: run as the child
	childURL     = "AIMS_DECISION_CRASH_URL"     // the database
	childOrg     = "AIMS_DECISION_CRASH_ORG"     // the organisation's id
	childUser    = "AIMS_DECISION_CRASH_USER"    // the user it records as
	childSystem  = "AIMS_DECISION_CRASH_SYSTEM"  // the AI system's id
	childPrefix  = "AIMS_DECISION_CRASH_PREFIX"  // the prefix of record ids
	childNext    = "AIMS_DECISION_CRASH_NEXT"    // the number of the first new record
	childResend  = "AIMS_DECISION_CRASH_RESEND"  // start:count,… of batches to send again first
	childBatches = "AIMS_DECISION_CRASH_BATCHES" // how many batches, 0 until killed
	childStartAt = "AIMS_DECISION_CRASH_START"   // Unix milliseconds to wait for before ingesting
)

// crashSizes are the sizes of the child's batches, in turn.
var crashSizes = []int{300, 1, 37, 500, 255, 129, 2, 64, 700, 13}

// crashRecord is record number i of a child, the same every time it is made.
func crashRecord(prefix string, i int) decision.Record {
	r := decision.Record{ID: fmt.Sprintf("%s-%d", prefix, i), Time: servicetest.T0.Add(time.Duration(i) * time.Millisecond),
		Model:  []string{"1.0.0", "1.1.0"}[i%2],
		Inputs: fmt.Appendf(nil, `{"n":%d,"income":%d}`, i, 1000+i%977),
		Output: decision.Output{Label: []string{"approve", "deny", "refer"}[i%3], Score: ptr(float64(i%100) / 100)}, Subject: fmt.Sprintf("c-%d", i%100)}
	if i%5 == 0 {
		r.Sensitive = map[string]string{"sex": []string{"female", "male"}[i%2]}
	}
	if i%7 == 0 {
		r.Review = &decision.Review{Reviewer: "r", Result: decision.ReviewAgreed}
	}
	return r
}

// ingestChild is the child: it opens the database as the server would,
// then records batches, printing "send START COUNT" before each and
// "ack START COUNT RANGES" once the service has answered, where RANGES are
// the records' indexes, such as 0-699 or 5-5,700-735.
func ingestChild() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv(childURL), "")
	if err != nil {
		return fail(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return fail(err)
	}
	logs := tlog.New(d, nil, nil)
	actor, err := identity.New(d, logs, nil).ActorFor(ctx, os.Getenv(childUser), os.Getenv(childOrg))
	if err != nil {
		return fail(err)
	}
	sysID, prefix := os.Getenv(childSystem), os.Getenv(childPrefix)
	ms := &models{bySystem: map[string][]version{sysID: {{"mv-1", "MDL-1@1.0.0", "1.0.0"}, {"mv-2", "MDL-1@1.1.0", "1.1.0"}}}}
	svc := decision.New(d, logs, nil, systems{aisystem.New(d, logs, nil)}, ms, decision.Limits{})
	send := func(start, n int) error {
		recs := make([]decision.Record, n)
		for i := range recs {
			recs[i] = crashRecord(prefix, start+i)
		}
		fmt.Printf("send %d %d\n", start, n)
		res, err := svc.Record(ctx, actor, sysID, recs, decision.RecordOptions{})
		if err != nil {
			return err
		}
		fmt.Printf("ack %d %d %s\n", start, n, formatRanges(indexes(res)))
		return nil
	}
	next, _ := strconv.Atoi(os.Getenv(childNext))
	batches, _ := strconv.Atoi(os.Getenv(childBatches))
	fmt.Println("ready")
	if ms, err := strconv.ParseInt(os.Getenv(childStartAt), 10, 64); err == nil {
		time.Sleep(time.Until(time.UnixMilli(ms)))
	}
	for _, r := range strings.Split(os.Getenv(childResend), ",") {
		if r == "" {
			continue
		}
		var start, n int
		if _, err := fmt.Sscanf(r, "%d:%d", &start, &n); err != nil {
			return fail(err)
		}
		if err := send(start, n); err != nil {
			return fail(err)
		}
	}
	for k := 0; batches == 0 || k < batches; k++ {
		n := crashSizes[(next/7+k)%len(crashSizes)]
		if err := send(next, n); err != nil {
			return fail(err)
		}
		next += n
	}
	return 0
}

// formatRanges writes indexes as ranges of consecutive ones.
func formatRanges(idx []int64) string {
	var b strings.Builder
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d-%d", idx[i], idx[j])
		i = j + 1
	}
	return b.String()
}

func parseRanges(s string) ([]int64, error) {
	var out []int64
	for _, r := range strings.Split(s, ",") {
		var a, b int64
		if _, err := fmt.Sscanf(r, "%d-%d", &a, &b); err != nil || b < a {
			return nil, fmt.Errorf("bad range %q", r)
		}
		for x := a; x <= b; x++ {
			out = append(out, x)
		}
	}
	return out, nil
}

// child is a running child process and the lines it printed.
type child struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr bytes.Buffer
	done   chan struct{}
	output []string
}

// startChild starts the test binary as an ingesting child.
func startChild(t *testing.T, env ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), lines: make(chan string, 1024), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), append([]string{childEnv + "=1"}, env...)...)
	c.cmd.Stderr = &c.stderr
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.cmd.Process.Kill() }) // a failed test leaves no child behind
	go func() {
		defer close(c.done)
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return // a line cut off by the kill is no answer
			}
			line = strings.TrimSuffix(line, "\n")
			c.output = append(c.output, line)
			select {
			case c.lines <- line:
			default:
			}
		}
	}()
	return c
}

// waitReady waits for the child to have opened the database.
func (c *child) waitReady(t *testing.T) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l := <-c.lines:
			if l == "ready" {
				return
			}
		case <-c.done:
			t.Fatalf("the child ended before it was ready: %s", c.stderr.String())
		case <-timeout:
			t.Fatal("the child did not get ready in 30 s")
		}
	}
}

// wait waits for the child's end and returns every complete line it printed.
func (c *child) wait(t *testing.T) ([]string, error) {
	t.Helper()
	<-c.done
	err := c.cmd.Wait()
	return c.output, err
}

// ack is a batch the service acknowledged: records start … start+n-1 at indexes.
type ack struct {
	start, n int
	indexes  []int64
}

// parseOutput reads a child's lines: its acknowledged batches, and the
// last batch it sent without an answer, if any.
func parseOutput(t *testing.T, lines []string) (acks []ack, pending *[2]int) {
	t.Helper()
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) == 3 && f[0] == "send":
			s, _ := strconv.Atoi(f[1])
			n, _ := strconv.Atoi(f[2])
			pending = &[2]int{s, n}
		case len(f) == 4 && f[0] == "ack":
			s, _ := strconv.Atoi(f[1])
			n, _ := strconv.Atoi(f[2])
			idx, err := parseRanges(f[3])
			if err != nil || len(idx) != n || pending == nil || pending[0] != s || pending[1] != n {
				t.Fatalf("child printed %q after sending %v: %v", l, pending, err)
			}
			acks = append(acks, ack{s, n, idx})
			pending = nil
		case l == "ready":
		default:
			t.Fatalf("child printed %q", l)
		}
	}
	return acks, pending
}

// ledger is what the children were told: every record acknowledged, at
// its index, and the hash first seen there.
type ledger struct {
	checked int64               // entries whose records were read before
	at      map[int64]string    // index → record id
	hashes  map[int64][32]byte  // index → record hash first read
	index   map[string]int64    // record id → index
	sent    map[string]struct{} // every record id ever sent
}

func newLedger() *ledger {
	return &ledger{at: map[int64]string{}, hashes: map[int64][32]byte{}, index: map[string]int64{}, sent: map[string]struct{}{}}
}

// add takes in a child's acknowledged batches; an id acknowledged again (a
// resent batch) must be given the same index.
func (l *ledger) add(t *testing.T, prefix string, acks []ack) (dups int) {
	t.Helper()
	for _, a := range acks {
		for i, x := range a.indexes {
			id := fmt.Sprintf("%s-%d", prefix, a.start+i)
			if prev, ok := l.index[id]; ok {
				if prev != x {
					t.Fatalf("%s was acknowledged at %d and again at %d", id, prev, x)
				}
				dups++
				continue
			}
			if other, ok := l.at[x]; ok {
				t.Fatalf("index %d was acknowledged for %s and for %s", x, other, id)
			}
			l.index[id], l.at[x] = x, id
		}
	}
	return dups
}

// check reopens the database, signs checkpoints, verifies every log and
// finds every acknowledged record at its index with its hash unchanged.
func (l *ledger) check(t *testing.T, url, org, sysID string, key *tlog.Key) (size int64) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	vs, err := tlog.Verifiers(key.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	reps := verifyAll(t, ctx, d, tlog.New(d, key.Signer, nil), org, vs)
	r := reps[tlog.KindDecision+"/"+sysID]
	if r == nil {
		if len(l.at) > 0 {
			t.Fatal("acknowledged records, but no decision log")
		}
		return 0
	}
	rows, err := d.QueryContext(ctx, `SELECT x.idx, x.client_id, x.record_hash, x.payload FROM decisions x
		JOIN decision_logs dl ON dl.no = x.log_no WHERE dl.system_id = ? ORDER BY x.idx`, sysID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var idx int64
		var id string
		var hash, payload []byte
		if err := rows.Scan(&idx, &id, &hash, &payload); err != nil {
			t.Fatal(err)
		}
		if idx != n {
			t.Fatalf("index %d follows %d", idx, n-1)
		}
		n++
		if _, ok := l.sent[id]; !ok {
			t.Fatalf("index %d holds %s, which no child sent", idx, id)
		}
		var h [32]byte
		copy(h[:], hash)
		if sha256.Sum256(payload) != h {
			t.Fatalf("index %d: the record does not match its hash", idx)
		}
		if want, ok := l.at[idx]; ok && want != id {
			t.Fatalf("index %d holds %s, but %s was acknowledged there", idx, id, want)
		}
		if first, ok := l.hashes[idx]; ok && first != h {
			t.Fatalf("the record hash at %d changed", idx)
		}
		l.hashes[idx] = h
		if idx < l.checked {
			continue // its hash is unchanged, so is its record
		}
		rec, err := decision.ParseRecord(payload)
		if err != nil {
			t.Fatal(err)
		}
		p, num, _ := strings.Cut(id, "-")
		i, _ := strconv.Atoi(num)
		want := crashRecord(p, i)
		if rec.ID != id || !rec.Time.Equal(want.Time) || rec.Output.Label != want.Output.Label || rec.System != sysID {
			t.Fatalf("index %d holds %+v, not what was sent as %s", idx, rec, id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != r.Size {
		t.Fatalf("%d rows for a log of %d", n, r.Size)
	}
	for x, id := range l.at {
		if x >= n {
			t.Fatalf("acknowledged %s at %d is lost: the log holds %d", id, x, n)
		}
	}
	var tallied int64
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(SUM(t.n), 0) FROM decision_tallies t JOIN decision_logs dl ON dl.no = t.log_no
		WHERE dl.system_id = ?`, sysID).Scan(&tallied); err != nil {
		t.Fatal(err)
	}
	if tallied != n {
		t.Fatalf("the tallies count %d decisions of %d", tallied, n)
	}
	l.checked = n
	return n
}

// crashSetup makes a database of the dialect with Acme, its members and
// systems, and returns its URL and the env used to make it (closed).
func crashSetup(t *testing.T, dialect db.Dialect) (string, *env) {
	t.Helper()
	url := dbtest.URL(t, dialect)
	d, err := db.Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, d)
	d.Close()
	return url, e
}

func (e *env) childEnv(url string, sys *aisystem.System, prefix string) []string {
	return []string{childURL + "=" + url, childOrg + "=" + e.org, childUser + "=" + e.contributor().UserID,
		childSystem + "=" + sys.ID, childPrefix + "=" + prefix}
}

// TestCrashDuringIngest kills an ingesting process with SIGKILL at random
// moments, again and again; after every kill the log verifies and every
// acknowledged record is at its acknowledged index with its hash. Each new
// process first sends again the last acknowledged batch, which must be
// answered with the same indexes, and the batch left without an answer.
func TestCrashDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			began := time.Now()
			url, e := crashSetup(t, dialect)
			const kills = 8
			l := newLedger()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
			next := 0
			var pending, lastAck *[2]int
			dups, resent, inflight, size := 0, 0, 0, int64(0)
			for k := range kills {
				env := append(e.childEnv(url, e.sys, "c"), childNext+"="+strconv.Itoa(next))
				var again []string
				for _, b := range []*[2]int{lastAck, pending} {
					if b != nil {
						again = append(again, fmt.Sprintf("%d:%d", b[0], b[1]))
						resent++
					}
				}
				env = append(env, childResend+"="+strings.Join(again, ","))
				c := startChild(t, env...)
				c.waitReady(t)
				time.Sleep(time.Duration(100+rng.IntN(501)) * time.Millisecond)
				if err := c.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				lines, err := c.wait(t)
				if err == nil || !strings.Contains(err.Error(), "killed") {
					t.Fatalf("kill %d: the child ended by itself (%v): %s", k, err, c.stderr.String())
				}
				acks, last := parseOutput(t, lines)
				for _, line := range lines {
					if f := strings.Fields(line); len(f) == 3 && f[0] == "send" {
						s, _ := strconv.Atoi(f[1])
						n, _ := strconv.Atoi(f[2])
						for i := s; i < s+n; i++ {
							l.sent[fmt.Sprintf("c-%d", i)] = struct{}{}
						}
						next = max(next, s+n)
					}
				}
				if last != nil {
					pending = last
					inflight++
				} else if len(acks) > 0 {
					pending = nil
				}
				if len(acks) > 0 {
					lastAck = &[2]int{acks[len(acks)-1].start, acks[len(acks)-1].n}
				}
				dups += l.add(t, "c", acks)
				size = l.check(t, url, e.org, e.sys.ID, e.key)
			}
			if len(l.at) == 0 {
				t.Fatal("no batch was acknowledged before any kill")
			}
			if dups == 0 {
				t.Fatal("no resent record was answered as a duplicate")
			}
			t.Logf("%s: %d kills (%d in the middle of a batch), %d records acknowledged (and %d answered again as duplicates, in %d resent batches), log of %d verified after every kill, in %v",
				dialect, kills, inflight, len(l.at), dups, resent, size, time.Since(began).Round(time.Millisecond))
		})
	}
}

// TestTwoProcessesOneLog runs two ingesting processes against one database
// and one system at once: they make one log, with dense and unique indexes,
// that verifies.
func TestTwoProcessesOneLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dialects := dbtest.Dialects(t)
	if len(dialects) < 2 {
		t.Skip("needs PostgreSQL: set AIMS_TEST_POSTGRES_URL")
	}
	for _, dialect := range dialects {
		t.Run(string(dialect), func(t *testing.T) {
			began := time.Now()
			url, e := crashSetup(t, dialect)
			l := newLedger()
			var children []*child
			prefixes := []string{"p", "q"}
			startAt := time.Now().Add(1500 * time.Millisecond).UnixMilli()
			for i, p := range prefixes {
				children = append(children, startChild(t, append(e.childEnv(url, e.sys, p), childNext+"="+strconv.Itoa(i*7),
					childBatches+"=24", childStartAt+"="+strconv.FormatInt(startAt, 10))...))
			}
			var wg sync.WaitGroup
			outs := make([][]string, len(children))
			errs := make([]error, len(children))
			for i, c := range children {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-c.done
					outs[i], errs[i] = c.output, c.cmd.Wait()
				}()
			}
			wg.Wait()
			total := 0
			for i, c := range children {
				if errs[i] != nil {
					t.Fatalf("child %s: %v: %s", prefixes[i], errs[i], c.stderr.String())
				}
				acks, pending := parseOutput(t, outs[i])
				if pending != nil || len(acks) != 24 {
					t.Fatalf("child %s: %d acknowledged batches, pending %v", prefixes[i], len(acks), pending)
				}
				for _, a := range acks {
					for j := range a.n {
						l.sent[fmt.Sprintf("%s-%d", prefixes[i], a.start+j)] = struct{}{}
					}
					total += a.n
				}
				if dups := l.add(t, prefixes[i], acks); dups != 0 {
					t.Fatalf("%d duplicates", dups)
				}
			}
			if size := l.check(t, url, e.org, e.sys.ID, e.key); size != int64(total) || len(l.at) != total {
				t.Fatalf("log of %d for %d acknowledged records", size, total)
			}
			// The two interleaved: neither holds one block of indexes.
			switches := 0
			for x := int64(1); x < int64(total); x++ {
				if l.at[x][0] != l.at[x-1][0] {
					switches++
				}
			}
			t.Logf("%s: two processes, %d records acknowledged, log of %d verified, %d changes of writer along the log, in %v",
				dialect, total, total, switches, time.Since(began).Round(time.Millisecond))
			if n := servicetest.Count(t, mustOpen(t, url), `SELECT count(*) FROM decision_logs`); n != 1 {
				t.Fatalf("%d decision logs", n)
			}
		})
	}
}

// mustOpen opens a database for the rest of the test.
func mustOpen(t *testing.T, url string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
