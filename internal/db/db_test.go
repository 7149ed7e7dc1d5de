package db_test

import (
	"context"
	"io/fs"
	"sort"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/google/go-cmp/cmp"
)

func TestMigrationFoldersHoldTheSameFiles(t *testing.T) {
	names := func(d db.Dialect) []string {
		var out []string
		err := fs.WalkDir(db.MigrationFS(d), ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(out)
		return out
	}
	sqlite, pg := names(db.SQLite), names(db.Postgres)
	if len(sqlite) == 0 {
		t.Fatal("no migrations found")
	}
	if diff := cmp.Diff(sqlite, pg); diff != "" {
		t.Errorf("migration folders differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestRebind(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	if got := d.Rebind("a = ?"); got != "a = ?" {
		t.Errorf("SQLite rebind changed the query: %q", got)
	}
}

func TestNextRefAndTimes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 12, 0, 0, 123456000, time.UTC)
		err := d.WithTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, created_at) VALUES (?, ?, ?, ?)`,
				"o1", "Org 'One?'", "org one", now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := 0; i < 3; i++ {
			err := d.WithTx(ctx, func(tx *db.Tx) error {
				r, err := db.NextRef(ctx, tx, "o1", "SYS")
				got = append(got, r)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]string{"SYS-1", "SYS-2", "SYS-3"}, got); diff != "" {
			t.Error(diff)
		}
		var name string
		var at time.Time
		if err := d.QueryRowContext(ctx, `SELECT name, created_at FROM organisations WHERE id = ? AND name <> '?'`, "o1").Scan(&name, &at); err != nil {
			t.Fatal(err)
		}
		if _, offset := at.Zone(); name != "Org 'One?'" || !at.Equal(now) || offset != 0 {
			t.Errorf("read back %q %v, want %q %v", name, at, "Org 'One?'", now)
		}
	})
}

func TestWithTxRollsBackOnError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.WithTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, created_at) VALUES (?, ?, ?, ?)`,
				"o1", "One", "one", time.Now()); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, created_at) VALUES (?, ?, ?, ?)`,
				"o2", "One again", "one", time.Now())
			return err
		})
		if !db.IsUniqueViolation(err) {
			t.Fatalf("want a unique violation, got %v", err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d organisations stored after a failed transaction, want 0", n)
		}
	})
}
