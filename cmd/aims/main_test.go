package main_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestServeAndStop runs the real binary as the README says, checks health,
// readiness, metrics and the API document, then stops it with SIGTERM and
// expects a clean exit.
func TestServeAndStop(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "aims")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json"}
			if dialect == db.Postgres {
				args = append(args, "--database", dbtest.URL(t, dialect))
			}
			cmd := exec.Command(bin, args...)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := make(chan string, 100)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			addr := ""
			var seen []string
			deadline := time.After(30 * time.Second)
			for addr == "" {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("aims serve exited before serving:\n%s", strings.Join(seen, "\n"))
					}
					seen = append(seen, l)
					var m struct{ Msg, Addr string }
					if json.Unmarshal([]byte(l), &m) == nil && m.Msg == "aims is serving" {
						addr = m.Addr
					}
				case <-deadline:
					t.Fatalf("aims serve did not start:\n%s", strings.Join(seen, "\n"))
				}
			}
			base := "http://" + addr
			// /metrics comes last, after requests it can count.
			for _, c := range []struct{ path, want string }{
				{"/healthz", "ok"}, {"/readyz", "ready"}, {"/api/openapi.json", `"openapi":"3.1.0"`},
				{"/api/v1/audit/key", "aims-"}, {"/metrics", "aims_http_requests_total"},
			} {
				path, want := c.path, c.want
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
					t.Errorf("GET %s = %d, want 200 with %q", path, resp.StatusCode, want)
				}
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				for l := range lines {
					seen = append(seen, l)
				}
				done <- cmd.Wait()
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("aims serve exited with %v after SIGTERM:\n%s", err, strings.Join(seen, "\n"))
				}
			case <-time.After(30 * time.Second):
				t.Fatal("aims serve did not stop after SIGTERM")
			}
			if !strings.Contains(strings.Join(seen, "\n"), "aims stopped") {
				t.Errorf("no clean stop logged:\n%s", strings.Join(seen, "\n"))
			}
		})
	}
}
