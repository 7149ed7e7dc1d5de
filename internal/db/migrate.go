package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations holds the forward-only schema changes, one folder per dialect
// with the same file names in each.
//
//go:embed migrations
var Migrations embed.FS

// MigrationFS returns the migrations of one dialect.
func MigrationFS(d Dialect) fs.FS {
	sub, err := fs.Sub(Migrations, "migrations/"+string(d))
	if err != nil {
		panic(err) // the folders are embedded; a missing one is a build defect
	}
	return sub
}

// Migrate applies every pending migration and returns the names of those applied.
// On PostgreSQL an advisory lock lets several replicas start at once.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("cannot create migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, d.SQL, MigrationFS(d.dialect), opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot migrate %s: %w", d.Location, err)
	}
	names := make([]string, 0, len(results))
	for _, r := range results {
		names = append(names, r.Source.Path)
	}
	return names, nil
}

// Pending reports whether migrations remain to be applied.
func (d *DB) Pending(ctx context.Context) (bool, error) {
	dialect := goose.DialectSQLite3
	if d.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.SQL, MigrationFS(d.dialect))
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}
