package servicetest

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns the path of one of the project's shared data files
// (adult.data, german.data …): in AIMS_TEST_DATA when it is set, else in
// shared/data beside the repository. When the file is missing the test is
// skipped, or fails when AIMS_TEST_REQUIRE_ALL is set.
func SharedData(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("AIMS_TEST_DATA")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "..", "shared", "data")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("AIMS_TEST_REQUIRE_ALL") != "" {
			t.Fatalf("shared data (set AIMS_TEST_DATA to its folder): %v", err)
		}
		t.Skipf("shared data not found: %v", err)
	}
	return path
}
