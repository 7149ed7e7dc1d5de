// Package db opens the SQLite or PostgreSQL database, runs migrations and
// gives every domain package one way to query it and to run a transaction.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. Queries are written once with ? placeholders and
// rebound for PostgreSQL.
type DB struct {
	SQL     *sql.DB
	dialect Dialect
	// Location describes where the data lives, without secrets, for people.
	Location string
	rebound  sync.Map
}

// Queryer is what both a DB and a Tx can do; read helpers accept either.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Open connects to url: a postgres:// URL selects PostgreSQL, anything else
// (empty, sqlite: or a file path) an SQLite file, by default under dataDir.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	var d *DB
	var err error
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		d, err = openPostgres(ctx, url)
	} else {
		d, err = openSQLite(ctx, url, dataDir)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Close closes the connection pool.
func (d *DB) Close() error { return d.SQL.Close() }

// Rebind turns ? placeholders into $1, $2 … for PostgreSQL. Question marks
// inside quoted strings are left alone.
func (d *DB) Rebind(q string) string {
	if d.dialect != Postgres {
		return q
	}
	if v, ok := d.rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	d.rebound.Store(q, out)
	return out
}

// ExecContext runs a statement outside a transaction.
func (d *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.SQL.ExecContext(ctx, d.Rebind(q), args...)
}

// QueryContext runs a query outside a transaction.
func (d *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.SQL.QueryContext(ctx, d.Rebind(q), args...)
}

// QueryRowContext runs a query for one row outside a transaction.
func (d *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return d.SQL.QueryRowContext(ctx, d.Rebind(q), args...)
}

// Tx is a transaction on a DB with the same rebinding.
type Tx struct {
	tx *sql.Tx
	db *DB
	// conn is the connection a WithBulkTx transaction runs on.
	conn *sql.Conn
	// stmts are the bulk insert statements prepared in a WithBulkTx transaction.
	stmts map[string]*sql.Stmt
}

// Dialect returns the dialect of the database.
func (d *DB) Dialect() Dialect { return d.dialect }

// Dialect returns the dialect of the transaction's database.
func (t *Tx) Dialect() Dialect { return t.db.dialect }

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.Rebind(q), args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.Rebind(q), args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.Rebind(q), args...)
}

// WithTx runs fn in a transaction and commits when fn returns nil. On
// PostgreSQL a serialization failure or deadlock is retried a few times.
func (d *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	return d.withRetries(ctx, false, fn)
}

// withRetries runs fn in a transaction, on a connection of its own when
// bulk is set, retrying what the database asks to be retried.
func (d *DB) withRetries(ctx context.Context, bulk bool, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = d.tryTx(ctx, bulk, fn)
		if err == nil || !retryable(err) {
			return err
		}
	}
	return err
}

func (d *DB) tryTx(ctx context.Context, bulk bool, fn func(tx *Tx) error) (err error) {
	tx := &Tx{db: d}
	if bulk {
		if tx.conn, err = d.SQL.Conn(ctx); err != nil {
			return fmt.Errorf("cannot take a connection: %w", err)
		}
		defer tx.conn.Close()
		tx.tx, err = tx.conn.BeginTx(ctx, nil)
	} else {
		tx.tx, err = d.SQL.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("cannot begin transaction: %w", err)
	}
	defer func() {
		for _, st := range tx.stmts {
			st.Close()
		}
		if p := recover(); p != nil {
			_ = tx.tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.tx.Commit(); err != nil {
		return fmt.Errorf("cannot commit transaction: %w", err)
	}
	return nil
}

// ErrNoRows is returned by QueryRow scans that find nothing.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means a query found no row.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func retryable(err error) bool { return pgRetryable(err) || sqliteBusy(err) }

// IsUniqueViolation reports whether err is a unique constraint violation in either dialect.
func IsUniqueViolation(err error) bool {
	if pgUniqueViolation(err) {
		return true
	}
	var se interface{ Code() int }
	if errors.As(err, &se) {
		return se.Code() == 2067 || se.Code() == 1555 // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
	}
	return false
}
