package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"golang.org/x/mod/sumdb/note"
)

// genBase is the time of the first generated decision; decision i is i seconds later.
var genBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// genDecision is generated decision i (from 1): what the test expects of it.
type genDecision struct {
	id, label, subject, review string
	score                      float64
}

func genRecord(i int) (genDecision, map[string]any) {
	g := genDecision{id: fmt.Sprintf("d-%05d", i), label: "approve", subject: fmt.Sprintf("p-%d", i%50), score: float64(i%100) / 100}
	if i%3 == 0 {
		g.label = "decline"
	}
	rec := map[string]any{
		"id": g.id, "time": genBase.Add(time.Duration(i) * time.Second).Format(time.RFC3339), "model": "1.0",
		"inputs": map[string]any{"income": 30000 + 7*i, "age_band": "30-39"},
		"output": map[string]any{"label": g.label, "score": g.score}, "confidence": 0.5 + float64(i%50)/100,
		"explanation": map[string]any{"method": "SHAP", "reason_codes": []string{"R01", "R07"}, "attributions": []map[string]any{
			{"feature": "income", "value": 0.3}, {"feature": "debt_ratio", "value": -0.6}, {"feature": "age_band", "value": 0.05}}},
		"subject": g.subject,
	}
	switch i % 10 {
	case 0:
		g.review = "overridden"
		rec["review"] = map[string]any{"reviewer": "rita@example.org", "result": "overridden", "final": "decline", "reason": "manual check"}
	case 5:
		g.review = "agreed"
		rec["review"] = map[string]any{"reviewer": "rita@example.org", "result": "agreed"}
	}
	return g, rec
}

// writeDecisions writes n generated decisions as NDJSON, with a blank line
// after the 100th, and returns them with the line and end offset of each.
func writeDecisions(t *testing.T, path string, n int) (gens []genDecision, lines []int, ends []int64) {
	t.Helper()
	var b bytes.Buffer
	line := 0
	for i := 1; i <= n; i++ {
		g, rec := genRecord(i)
		js, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(js)
		b.WriteByte('\n')
		line++
		gens, lines, ends = append(gens, g), append(lines, line), append(ends, int64(b.Len()))
		if i == 100 {
			b.WriteString("\n")
			line++
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return gens, lines, ends
}

// flaky stands in front of the server: it counts the requests that record
// decisions, answers 503 from a given one on, and can store one batch but
// drop the connection before answering, as a crash after commit would.
type flaky struct {
	h        http.Handler
	mu       sync.Mutex
	posts    int
	failFrom int
	dropAt   int
	maxBody  int64
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/decisions") {
		f.h.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	f.posts++
	n := f.posts
	fail, drop := f.failFrom > 0 && n >= f.failFrom, n == f.dropAt
	f.maxBody = max(f.maxBody, r.ContentLength)
	f.mu.Unlock()
	switch {
	case fail:
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":503,"title":"Service Unavailable","detail":"down for maintenance"}`))
	case drop:
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			panic(fmt.Sprintf("the dropped batch was not stored: %d %s", rec.Code, rec.Body))
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close()
	default:
		f.h.ServeHTTP(w, r)
	}
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts
}

func (f *flaky) set(failFrom, dropAt int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failFrom, f.dropAt, f.maxBody = failFrom, dropAt, 0
}

// TestDecisionCommands pushes a few thousand decisions from a file, is
// interrupted by a failing server, resumes, survives a batch stored but
// never answered, and ends with every record in the log exactly once; then
// it searches and explains decisions, gets a receipt and verifies it
// offline (and sees tampered ones fail), erases a subject, and uses a
// system token.
func TestDecisionCommands(t *testing.T) {
	backoff, every := pushBackoff, pushPlainEvery
	pushBackoff, pushPlainEvery = time.Millisecond, 0
	t.Cleanup(func() { pushBackoff, pushPlainEvery = backoff, every })
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, map[string]string{"AIMS_DECISION_MAX_RECORDS": "1000"})
			sh := newShell(t, cfg)
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "ada@example.org",
				"--role", "owner", "--name", "Ada Lovelace", "--password-stdin")
			token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)
			env := apptest.Serve(t, cfg)
			proxy := &flaky{h: env.Server.Config.Handler}
			front := httptest.NewServer(proxy)
			t.Cleanup(front.Close)
			sh.vars["AIMS_SERVER"] = front.URL
			sh.vars["AIMS_TOKEN"] = token
			dir := t.TempDir()
			ctx := context.Background()
			spaces := regexp.MustCompile(`[ \t]{2,}`)
			contains := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), w) {
						t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
					}
				}
			}
			fails := func(r result, wants ...string) {
				t.Helper()
				if r.code != 1 {
					t.Errorf("exit %d, want 1:\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
				}
				contains(r, wants...)
			}
			stored := func() (n, distinct int) {
				t.Helper()
				if err := env.App.DB.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT client_id) FROM decisions`).Scan(&n, &distinct); err != nil {
					t.Fatal(err)
				}
				return n, distinct
			}

			contains(sh.ok("", "decisions", "--help"), "aims receipt verify", "NDJSON", "log index")
			contains(sh.ok("", "decisions", "push", "--help"), "FILE.push-state", "--restart", "--partial", "--batch")
			contains(sh.ok("", "__complete", "decisions", "list", "--review", ""), "overridden")
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")
			sh.ok("", "model", "add", "--system", "SYS-1", "--name", "Credit scorer")
			sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.0", "--digest", strings.Repeat("ab", 32))

			// Push 3,000 records in batches of 500; the server goes down after two.
			const n = 3000
			file := filepath.Join(dir, "decisions.ndjson")
			gens, lines, ends := writeDecisions(t, file, n)
			proxy.set(3, 0)
			r := sh.run("", "decisions", "push", file, "--system", "SYS-1", "--batch", "500", "--retries", "2")
			fails(r, "down for maintenance (HTTP 503)", "giving up after 3 attempts",
				fmt.Sprintf("1000 decision records up to line %d were acknowledged; run the same command again to continue from line %d", lines[999], lines[999]+1))
			var st pushState
			if b, err := os.ReadFile(file + ".push-state"); err != nil {
				t.Fatalf("no state file after the interruption: %v", err)
			} else if err := json.Unmarshal(b, &st); err != nil {
				t.Fatal(err)
			}
			if st.Offset != ends[999] || st.Records != 1000 || st.Accepted != 1000 || st.System != "SYS-1" {
				t.Errorf("state = %+v, want offset %d after 1000 records", st, ends[999])
			}
			if got, _ := stored(); got != 1000 {
				t.Errorf("%d records stored after the interruption, want 1000", got)
			}

			// Resume; the first batch is stored but its answer lost, so it is sent again.
			proxy.set(0, proxy.count()+1)
			r = sh.ok("", "decisions", "push", file, "--system", "SYS-1", "--batch", "500")
			contains(r, fmt.Sprintf("resuming the push of %s from line %d (byte %d of", file, lines[999]+1, ends[999]),
				"1000 decision records were acknowledged before", "retrying in", "records/s", "ETA",
				"pushed 3000 decision records from decisions.ndjson to SYS-1: 2500 accepted, 500 duplicates, 0 rejected",
				"the decision log of SYS-1 holds 3000 decisions")
			if _, err := os.Stat(file + ".push-state"); !os.IsNotExist(err) {
				t.Errorf("the state file stays after success: %v", err)
			}
			if got, distinct := stored(); got != n || distinct != n {
				t.Errorf("log holds %d records (%d distinct ids), want each of %d exactly once", got, distinct, n)
			}
			contains(sh.ok("", "decisions", "retention", "--system", "SYS-1"), "decisions 3000", "retention 183 days")

			// A batch over the server's limit of 1,000 records is cut down; a byte limit is kept.
			head := filepath.Join(dir, "head.ndjson")
			if err := os.WriteFile(head, mustRead(t, file)[:ends[1199]], 0o644); err != nil {
				t.Fatal(err)
			}
			contains(sh.ok("", "decisions", "push", head, "--system", "SYS-1", "--batch", "1200"),
				"the server refused a batch of 1200 records as too big; sending at most 1000 records",
				"pushed 1200 decision records from head.ndjson to SYS-1: 0 accepted, 1200 duplicates")
			proxy.set(0, 0)
			var sum pushSummary
			r = sh.ok("", "decisions", "push", head, "--system", "SYS-1", "--max-bytes", "8192", "-o", "json", "-q")
			if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Records != 1200 || sum.Duplicates != 1200 || sum.Accepted != 0 || *sum.LogSize != n {
				t.Errorf("summary %+v, %v", sum, err)
			}
			if proxy.maxBody > 8192 || proxy.maxBody < 4096 {
				t.Errorf("largest request %d bytes with --max-bytes 8192", proxy.maxBody)
			}

			// Bad records are named by line; nothing of the batch is stored unless --partial.
			good, _ := json.Marshal(map[string]any{"id": "b-1", "time": "2026-02-01T00:00:00Z", "model": "MDL-1@1.0", "output": map[string]any{"label": "approve"}})
			bad := filepath.Join(dir, "bad.ndjson")
			writeFile(t, bad, string(good)+"\n\n"+`{"id":"b-2","time":"2026-02-01T00:00:00Z","model":"1.0","output":{}}`+"\n"+
				`{"id":"b-3","time":"2026-02-01T00:00:00Z","model":"9.9","output":{"label":"x"}}`+"\n")
			r = sh.run("", "decisions", "push", bad, "--system", "SYS-1")
			fails(r, "2 of 3 decision records are invalid; none was stored", "line 3: output: needs a label, a score or both",
				"line 4: model: names no version of a model of this system")
			if got, _ := stored(); got != n {
				t.Errorf("a refused batch stored records: %d", got)
			}
			badType := filepath.Join(dir, "type.ndjson")
			writeFile(t, badType, string(good)+"\n"+`{"id":"b-4","time":"2026-02-01T00:00:00Z","model":"1.0","output":{"label":"x"},"confidence":"high"}`+"\n")
			fails(sh.run("", "decisions", "push", badType, "--system", "SYS-1"), "line 2: confidence: must be a number")
			notJSON := filepath.Join(dir, "broken.ndjson")
			writeFile(t, notJSON, string(good)+"\n{oops\n")
			fails(sh.run("", "decisions", "push", notJSON, "--system", "SYS-1"), "broken.ndjson line 2 is not a JSON object")
			writeFile(t, notJSON, "["+string(good)+"]\n")
			fails(sh.run("", "decisions", "push", notJSON, "--system", "SYS-1"), "looks like a JSON array", "jq -c")
			contains(sh.ok("", "decisions", "push", bad, "--system", "SYS-1", "--partial"),
				"1 accepted, 0 duplicates, 2 rejected", "line 3: output: needs a label", "line 4: model:")
			total := n + 1

			// Search.
			r = sh.ok("", "decisions", "list", "--system", "SYS-1", "--limit", "3")
			last := gens[n-1]
			contains(r, "INDEX ID TIME MODEL OUTPUT SCORE REVIEW", "3000 b-1 2026-02-01T00:00:00Z MDL-1@1.0 approve - -",
				fmt.Sprintf("2999 %s 2026-01-01T00:50:00Z MDL-1@1.0 %s %g %s", last.id, last.label, last.score, last.review),
				fmt.Sprintf("3 shown; the log of SYS-1 holds %d decisions; more with --before 2998", total))
			count := func(f func(i int, g genDecision) bool) int {
				k := 0
				for i, g := range gens {
					if f(i+1, g) {
						k++
					}
				}
				return k
			}
			list := func(args ...string) decision.Page {
				t.Helper()
				var p decision.Page
				r := sh.ok("", append([]string{"decisions", "list", "--system", "SYS-1", "-o", "json", "--limit", "500"}, args...)...)
				if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
					t.Fatalf("list %v: %v\n%s", args, err, r.stdout)
				}
				return p
			}
			p := list("--review", "overridden")
			if want := count(func(_ int, g genDecision) bool { return g.review == "overridden" }); len(p.Items) != want || want != 300 {
				t.Errorf("%d overridden listed, want %d", len(p.Items), want)
			}
			for _, d := range p.Items {
				if d.Review != "overridden" {
					t.Errorf("listed %s with review %q", d.ID, d.Review)
				}
			}
			p = list("--model", "MDL-1@1.0", "--output", "decline", "--from", "2026-01-01T00:01:40Z", "--to", "2026-01-01T00:03:20Z")
			if want := count(func(i int, g genDecision) bool { return i >= 100 && i < 200 && g.label == "decline" }); len(p.Items) != want {
				t.Errorf("%d declines from 100 s to 200 s, want %d", len(p.Items), want)
			}
			subject7 := count(func(_ int, g genDecision) bool { return g.subject == "p-7" })
			if p = list("--subject", "p-7"); len(p.Items) != subject7 {
				t.Errorf("%d decisions about p-7, want %d", len(p.Items), subject7)
			}
			fails(sh.run("", "decisions", "list", "--system", "SYS-1", "--from", "yesterday"), "--from must be a time")

			// Why: the decision explained, its hash that of the stored canonical record.
			var payload []byte
			if err := env.App.DB.QueryRowContext(ctx, `SELECT payload FROM decisions WHERE client_id = 'd-00040'`).Scan(&payload); err != nil {
				t.Fatal(err)
			}
			sum40 := sha256.Sum256(payload)
			writeFile(t, filepath.Join(dir, "outcomes.ndjson"), `{"id":"o-1","decision":"d-00040","label":"defaulted","time":"2026-06-01T00:00:00Z"}`+"\n")
			contains(sh.ok("", "decisions", "outcomes", "push", filepath.Join(dir, "outcomes.ndjson"), "--system", "SYS-1"),
				"pushed 1 outcomes from outcomes.ndjson to SYS-1: 1 accepted, 0 duplicates")
			r = sh.ok("", "decisions", "show", "--system", "SYS-1", "d-00040")
			contains(r, "decision 39 of SYS-1 d-00040", "time 2026-01-01T00:00:40Z", "model version MDL-1@1.0",
				"record hash "+hex.EncodeToString(sum40[:]), "subject p-40", "output approve, score 0.4", "confidence 0.9",
				"human review overridden by rita@example.org; final decision: decline; reason: manual check",
				"age_band 30-39", "income 30280", "explanation (SHAP)", "reason codes: R01, R07",
				"2026-06-01T00:00:00Z defaulted")
			if !regexp.MustCompile(`debt_ratio\s+-0\.6\s+-{20}\n\s+income\s+\+0\.3\s+\+{10}\n\s+age_band\s+\+0\.05\s+\+{2}\n`).MatchString(r.stdout) {
				t.Errorf("attributions not largest first with bars:\n%s", r.stdout)
			}
			var d decision.Decision
			if err := json.Unmarshal([]byte(sh.ok("", "decisions", "show", "--system", "SYS-1", "39", "-o", "json").stdout), &d); err != nil ||
				d.ID != "d-00040" || d.Record == nil || len(d.Outcomes) != 1 {
				t.Errorf("show json: %v %+v", err, d)
			}
			fails(sh.run("", "decisions", "show", "--system", "SYS-1", "d-99999"), "HTTP 404")

			// A receipt verifies offline with the published key; altered ones do not.
			key := strings.TrimSpace(apptest.Get(t, env.URL+"/api/v1/audit/key"))
			keyFile := filepath.Join(dir, "audit.key")
			writeFile(t, keyFile, key+"\n")
			receipt := filepath.Join(dir, "receipt.json")
			contains(sh.ok("", "decisions", "receipt", "--system", "SYS-1", "d-00040", "--out", receipt), "wrote the receipt of decision 39 of SYS-1")
			sh.vars = map[string]string{} // offline: no server, no token
			for _, k := range []string{key, keyFile} {
				contains(sh.ok("", "receipt", "verify", receipt, "--key", k), "verified", "log aims/decision/", "index 39",
					"tree size", "decision d-00040", "time 2026-01-01T00:00:40Z", "model version MDL-1@1.0",
					"output approve, score 0.4", "human review overridden by rita@example.org")
			}
			var rc decision.Receipt
			if err := json.Unmarshal(mustRead(t, receipt), &rc); err != nil {
				t.Fatal(err)
			}
			tamper := func(name string, change func(r *decision.Receipt), want string) {
				t.Helper()
				c := rc
				c.Proof = append([]string(nil), rc.Proof...)
				change(&c)
				b, _ := json.Marshal(c)
				f := filepath.Join(dir, name+".json")
				writeFile(t, f, string(b))
				r := sh.run("", "receipt", "verify", f, "--key", key)
				fails(r, "NOT VERIFIED", want)
			}
			tamper("record", func(r *decision.Receipt) {
				rec, _ := base64.StdEncoding.DecodeString(r.Record)
				r.Record = base64.StdEncoding.EncodeToString(bytes.Replace(rec, []byte(`"approve"`), []byte(`"decline"`), 1))
			}, "the record does not match record_hash")
			tamper("hash", func(r *decision.Receipt) {
				rec, _ := base64.StdEncoding.DecodeString(r.Record)
				rec = bytes.Replace(rec, []byte(`"approve"`), []byte(`"decline"`), 1)
				h := sha256.Sum256(rec)
				r.Record, r.RecordHash = base64.StdEncoding.EncodeToString(rec), base64.StdEncoding.EncodeToString(h[:])
			}, "the inclusion proof does not lead to the signed root")
			tamper("index", func(r *decision.Receipt) { r.Index++ }, "the inclusion proof does not lead to the signed root")
			tamper("size", func(r *decision.Receipt) { r.TreeSize-- }, "the checkpoint is for a tree of")
			_, otherKey, err := note.GenerateKey(rand.Reader, "someone-else")
			if err != nil {
				t.Fatal(err)
			}
			fails(sh.run("", "receipt", "verify", receipt, "--key", otherKey), "NOT VERIFIED", "signature does not verify")
			fails(sh.run("", "receipt", "verify", receipt, "--key", "nothing-here"), "neither a verifier key")
			sh.vars["AIMS_SERVER"], sh.vars["AIMS_TOKEN"] = front.URL, token

			// Erasure keeps the log and every receipt valid.
			contains(sh.ok("", "decisions", "erase", "--system", "SYS-1", "--subject", "p-7", "--reason", "DSR-2026-014"),
				fmt.Sprintf("erased the payloads of %d decision(s) of SYS-1", subject7))
			contains(sh.ok("", "decisions", "show", "--system", "SYS-1", "d-00007"), "the record was erased on", "only its hash is kept")
			sh.ok("", "decisions", "receipt", "--system", "SYS-1", "d-00007", "--out", receipt)
			contains(sh.ok("", "receipt", "verify", receipt, "--key", key), "verified", "index 6", "record erased: only its hash is proven")

			// Retention and oversight.
			fails(sh.run("", "decisions", "retention", "--system", "SYS-1", "--days", "100"), "days:")
			contains(sh.ok("", "decisions", "retention", "--system", "SYS-1", "--days", "400"), "retention 400 days")
			reviewed := count(func(_ int, g genDecision) bool { return g.review != "" })
			contains(sh.ok("", "decisions", "oversight", "--system", "SYS-1"), "MODEL VERSION DECISIONS REVIEWED REVIEW RATE OVERRIDDEN OVERRIDE RATE",
				fmt.Sprintf("MDL-1@1.0 %d %d %.1f%% 300 %.1f%%", total, reviewed, float64(reviewed)*100/float64(total), 300*100/float64(reviewed)))

			// A system token writes this system's decisions, from standard input too, and nothing else.
			r = sh.ok("", "decisions", "token", "--system", "SYS-1", "--name", "scoring service", "--expires", "30d")
			systemToken := strings.TrimSpace(r.stdout)
			if !strings.HasPrefix(systemToken, "aims_") || !strings.Contains(r.stderr, "shown only this once") {
				t.Fatalf("token said %q / %q", r.stdout, r.stderr)
			}
			sh.vars["AIMS_TOKEN"] = systemToken
			in := `{"id":"s-1","time":"2026-03-01T00:00:00Z","model":"1.0","output":{"label":"approve"}}` + "\n" +
				`{"id":"s-2","time":"2026-03-01T00:00:01Z","model":"1.0","output":{"score":0.7}}` + "\n"
			contains(sh.ok(in, "decisions", "push", "-", "--system", "SYS-1"),
				"pushed 2 decision records from standard input to SYS-1: 2 accepted", fmt.Sprintf("holds %d decisions", total+2))
			fails(sh.run("", "decisions", "list", "--system", "SYS-1"), "HTTP 403")
			fails(sh.run("", "decisions", "push", file, "--system", "SYS-2"), "HTTP 404")
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPushBatches cuts NDJSON into batches by count and bytes, keeping line
// numbers across blank lines and offsets at record ends, and splits a batch.
func TestPushBatches(t *testing.T) {
	in := "{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":333}\n   \n{\"a\":4}"
	lr := newLineReader(strings.NewReader(in), "in", 0, 0)
	b, err := lr.next(2, 1<<20)
	if err != nil || b.len() != 2 || string(b.body) != "{\"a\":1}\n{\"a\":2}\n" || b.lines[1] != 3 || b.fileEnds[1] != 18 || b.endLine != 3 {
		t.Fatalf("first batch %+v %q, %v", b, b.body, err)
	}
	// 17 bytes hold {"a":333} (10 with its newline) but not {"a":4} too.
	b, err = lr.next(10, 17)
	if err != nil || b.len() != 1 || b.lines[0] != 4 || b.fileEnds[0] != 28 {
		t.Fatalf("byte-limited batch %+v, %v", b, err)
	}
	b, err = lr.next(10, 17)
	if err != nil || b.len() != 1 || b.lines[0] != 6 || b.fileEnds[0] != int64(len(in)) || string(b.body) != "{\"a\":4}\n" {
		t.Fatalf("last batch %+v %q, %v", b, b.body, err)
	}
	if b, err = lr.next(10, 17); b != nil || err != nil {
		t.Fatalf("after the end: %+v, %v", b, err)
	}
	// Resuming at an offset continues the line count.
	lr = newLineReader(strings.NewReader(in[18:]), "in", 18, 3)
	if b, _ = lr.next(1, 100); b.lines[0] != 4 || b.fileEnds[0] != 28 {
		t.Errorf("resumed batch %+v", b)
	}
	if _, err = newLineReader(strings.NewReader(`{"a":"`+strings.Repeat("x", 100)+`"}`), "in", 0, 0).next(5, 50); err == nil ||
		!strings.Contains(err.Error(), "in line 1 is longer than one request may carry (50 bytes)") {
		t.Errorf("long line: %v", err)
	}

	lr = newLineReader(strings.NewReader("{}\n{}\n{}\n{}\n{}\n"), "in", 0, 0)
	b, _ = lr.next(5, 100)
	parts := b.chunks(2)
	if len(parts) != 3 || parts[0].len() != 2 || parts[2].len() != 1 || string(parts[1].body) != "{}\n{}\n" ||
		parts[1].lines[0] != 3 || parts[1].ends[1] != 6 || parts[1].endLine != 4 || parts[2].fileEnds[0] != 15 {
		t.Errorf("chunks %+v %+v %+v", parts[0], parts[1], parts[2])
	}
}

func TestRetryAfter(t *testing.T) {
	def := 3 * time.Second
	for v, want := range map[string]time.Duration{"": def, "7": 7 * time.Second, "soon": def, "100000": 5 * time.Minute} {
		if got := retryAfter(v, def); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", v, got, want)
		}
	}
	if got := retryAfter(time.Now().Add(time.Minute).UTC().Format(http.TimeFormat), def); got < 58*time.Second || got > time.Minute {
		t.Errorf("retryAfter(date a minute ahead) = %s", got)
	}
	if got := stripPosition("body[12].review.final"); got != "review.final" {
		t.Errorf("stripPosition = %q", got)
	}
}
