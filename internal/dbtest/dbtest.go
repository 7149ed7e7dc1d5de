// Package dbtest gives tests real, freshly migrated databases: SQLite always,
// and PostgreSQL when AIMS_TEST_POSTGRES_URL names a server.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection
)

// Each runs f as a subtest once per available dialect, each with a fresh database.
func Each(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			f(t, New(t, dialect))
		})
	}
}

// Dialects lists the dialects this run tests: SQLite, and PostgreSQL when
// configured. With AIMS_TEST_REQUIRE_ALL=1 a missing PostgreSQL fails the test.
func Dialects(t testing.TB) []db.Dialect {
	if os.Getenv("AIMS_TEST_POSTGRES_URL") != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	if os.Getenv("AIMS_TEST_REQUIRE_ALL") == "1" {
		t.Fatal("AIMS_TEST_REQUIRE_ALL=1 but AIMS_TEST_POSTGRES_URL is not set")
	}
	return []db.Dialect{db.SQLite}
}

// New opens a fresh, migrated database of the dialect, removed when the test ends.
func New(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	u := URL(t, dialect)
	d, err := db.Open(context.Background(), u, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if dialect == db.SQLite {
		if _, err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// URL makes a fresh, migrated database and returns its URL; for SQLite a file
// path. The database is dropped when the test ends.
func URL(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		return filepath.Join(t.TempDir(), "aims.db")
	}
	admin := os.Getenv("AIMS_TEST_POSTGRES_URL")
	if admin == "" {
		t.Fatal("AIMS_TEST_POSTGRES_URL is not set")
	}
	tmpl, err := template(admin)
	if err != nil {
		t.Fatal(err)
	}
	name := "aims_t_" + randomHex(8)
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	if _, err := adb.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); err != nil {
		t.Fatalf("cannot create test database: %v", err)
	}
	t.Cleanup(func() {
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer adb.Close()
		_, _ = adb.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return withDatabase(admin, name)
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template returns the name of a migrated template database for this version
// of the migrations, creating it once under an advisory lock, since several
// test binaries run at the same time.
func template(admin string) (string, error) {
	templateOnce.Do(func() {
		templateName, templateErr = makeTemplate(admin)
	})
	return templateName, templateErr
}

func makeTemplate(admin string) (string, error) {
	name := "aims_tmpl_" + migrationsHash()
	ctx := context.Background()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer adb.Close()
	conn, err := adb.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("cannot connect to PostgreSQL at AIMS_TEST_POSTGRES_URL: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(4242001)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(4242001)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, withDatabase(admin, building), "")
	if err != nil {
		return "", err
	}
	_, err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsHash identifies the PostgreSQL migrations' content.
func migrationsHash() string {
	h := sha256.New()
	fsys := db.MigrationFS(db.Postgres)
	var names []string
	_ = fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(fsys, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
