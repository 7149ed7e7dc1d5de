package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteFile is the database file's name inside the data directory.
const sqliteFile = "aims.db"

// openSQLite opens (creating if needed) the SQLite file named by target, or
// aims.db in dataDir when target is empty. Every transaction takes the write
// lock at its start, so that a read followed by a write never fails midway.
func openSQLite(ctx context.Context, target, dataDir string) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(target, "sqlite://"), "sqlite:")
	if path == "" {
		if dataDir == "" {
			return nil, errors.New("cannot open SQLite: no data directory")
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create data directory %s: %w", dataDir, err)
		}
		path = filepath.Join(dataDir, sqliteFile)
	} else if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create directory for %s: %w", path, err)
	}
	// Escape the path: a '#' or '?' in it would otherwise end the file name.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate&_time_format=sqlite"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("cannot open SQLite %s: %w", path, err)
	}
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("cannot open SQLite %s: %w", path, err)
	}
	return &DB{SQL: sdb, dialect: SQLite, Location: "sqlite:" + path}, nil
}

// sqliteBusy reports whether err is SQLite giving up on a lock.
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}
