package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPostgres connects to the PostgreSQL server at url; sessions use UTC.
func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("cannot parse PostgreSQL URL: %w", err)
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	sdb := stdlib.OpenDB(*cfg)
	sdb.SetMaxOpenConns(20)
	sdb.SetMaxIdleConns(10)
	loc := fmt.Sprintf("postgres://%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("cannot connect to %s: %w", loc, err)
	}
	return &DB{SQL: sdb, dialect: Postgres, Location: loc}, nil
}

// pgRetryable reports whether PostgreSQL asks for the transaction to be retried.
func pgRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// pgUniqueViolation reports whether err is a unique constraint violation.
func pgUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
