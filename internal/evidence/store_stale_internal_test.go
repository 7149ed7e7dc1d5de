package evidence

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRemoveStaleUploads(t *testing.T) {
	dir := t.TempDir()
	st := &store{dir: dir, maxBytes: 1 << 20}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	old := filepath.Join(dir, ".upload-old")
	fresh := filepath.Join(dir, ".upload-fresh")
	kept := filepath.Join(dir, "ab")
	for _, p := range []string{old, fresh, kept} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Chtimes(old, now.Add(-25*time.Hour), now.Add(-25*time.Hour))
	os.Chtimes(fresh, now.Add(-time.Hour), now.Add(-time.Hour))
	os.Chtimes(kept, now.Add(-100*time.Hour), now.Add(-100*time.Hour))
	n, err := st.removeStale(now)
	if err != nil || n != 1 {
		t.Fatalf("removed %d (%v), want 1", n, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("a day-old interrupted upload is still there")
	}
	for _, p := range []string{fresh, kept} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}
