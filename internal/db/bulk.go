package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// WithBulkTx is WithTx on a connection of its own, so that Insert may use
// PostgreSQL's COPY inside the transaction. A unique violation is never
// retried: the caller decides what a duplicate means.
func (d *DB) WithBulkTx(ctx context.Context, fn func(tx *Tx) error) error {
	return d.withRetries(ctx, true, fn)
}

// prepared returns the statement q prepared in the transaction, preparing
// it on first use; statements are closed with the transaction.
func (t *Tx) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, t.db.Rebind(q))
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st, nil
}

// sqliteInsertParams bounds the parameters of one multi-row INSERT.
const sqliteInsertParams = 3000

// Insert adds rows to table in the transaction: with COPY on PostgreSQL
// when the transaction came from WithBulkTx, and with multi-row INSERT
// statements otherwise. Every row has one value per column.
func (t *Tx) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	i := 0
	return t.InsertFunc(ctx, table, columns, func() ([]any, error) {
		if i == len(rows) {
			return nil, nil
		}
		i++
		return rows[i-1], nil
	})
}

// InsertFunc is Insert with rows from next, which returns a nil row after
// the last; next may reuse its row, as InsertFunc is done with a row before
// it asks for the next. Rows are sent as next gives them, so that producing
// them overlaps with storing them: one COPY on PostgreSQL, statements of a
// few hundred rows on SQLite.
func (t *Tx) InsertFunc(ctx context.Context, table string, columns []string, next func() ([]any, error)) error {
	if t.db.dialect == Postgres && t.conn != nil {
		return t.conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return errors.New("bulk insert: not a pgx connection")
			}
			sent := int64(0)
			n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(func() ([]any, error) {
				row, err := next()
				if row != nil {
					sent++
				}
				return row, err
			}))
			if err != nil {
				return err
			}
			if n != sent {
				return fmt.Errorf("bulk insert into %s copied %d of %d rows", table, n, sent)
			}
			return nil
		})
	}
	tuple := "(?" + strings.Repeat(", ?", len(columns)-1) + ")"
	per := max(1, sqliteInsertParams/len(columns))
	head := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	args := make([]any, 0, per*len(columns))
	// exec inserts the first n rows held in args. Statements of per rows,
	// and of falling powers of two for the rest, are each parsed once per
	// transaction.
	exec := func(n int) error {
		st, err := t.prepared(ctx, head+tuple+strings.Repeat(", "+tuple, n-1))
		if err != nil {
			return err
		}
		_, err = st.ExecContext(ctx, args[:n*len(columns)]...)
		args = append(args[:0], args[n*len(columns):]...)
		return err
	}
	for {
		row, err := next()
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		if len(row) != len(columns) {
			return fmt.Errorf("bulk insert into %s: a row has %d values for %d columns", table, len(row), len(columns))
		}
		args = append(args, row...)
		if len(args) == per*len(columns) {
			if err := exec(per); err != nil {
				return err
			}
		}
	}
	for left := len(args) / len(columns); left > 0; left = len(args) / len(columns) {
		n := 1
		for n*2 <= left {
			n *= 2
		}
		if err := exec(n); err != nil {
			return err
		}
	}
	return nil
}

// AddCounts adds counts to table: each row holds the key columns' values
// followed by a count, which is added to the count of the row with that key,
// or inserted when there is none. The table's count column is n and its
// primary key is keys. Rows are written in key order, so that two
// transactions adding to the same keys cannot deadlock.
func (t *Tx) AddCounts(ctx context.Context, table string, keys []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b []any) int {
		for i := range keys {
			if c := compareValues(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	cols := len(keys) + 1
	for _, r := range rows {
		if len(r) != cols {
			return fmt.Errorf("counts for %s: a row has %d values for %d columns", table, len(r), cols)
		}
	}
	if t.db.dialect == Postgres {
		return t.addCountsArrays(ctx, table, keys, rows)
	}
	tuple := "(?" + strings.Repeat(", ?", cols-1) + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(keys, ", ") + ", n) VALUES "
	tail := " ON CONFLICT (" + strings.Join(keys, ", ") + ") DO UPDATE SET n = " + table + ".n + excluded.n"
	per := max(1, sqliteInsertParams/cols)
	for len(rows) > 0 {
		n := min(per, len(rows))
		if n < per {
			for n&(n-1) != 0 {
				n &= n - 1 // falling powers of two, so that few statements are parsed
			}
		}
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		st, err := t.prepared(ctx, head+tuple+strings.Repeat(", "+tuple, n-1)+tail)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// addCountsArrays is AddCounts on PostgreSQL: one statement per table that
// reads the rows from one array per column, which PostgreSQL plans once
// however many rows there are.
func (t *Tx) addCountsArrays(ctx context.Context, table string, keys []string, rows [][]any) error {
	cols := len(keys) + 1
	arrays := make([]any, cols)
	casts := make([]string, cols)
	for c := range cols {
		switch rows[0][c].(type) {
		case string:
			a := make([]string, len(rows))
			for i, r := range rows {
				a[i] = r[c].(string)
			}
			arrays[c], casts[c] = a, "text[]"
		case float64:
			a := make([]float64, len(rows))
			for i, r := range rows {
				a[i] = r[c].(float64)
			}
			arrays[c], casts[c] = a, "float8[]"
		case int64, int:
			a := make([]int64, len(rows))
			for i, r := range rows {
				switch v := r[c].(type) {
				case int64:
					a[i] = v
				case int:
					a[i] = int64(v)
				default:
					return fmt.Errorf("counts for %s: column %d holds %T and %T", table, c, rows[0][c], r[c])
				}
			}
			arrays[c], casts[c] = a, "int8[]"
		default:
			return fmt.Errorf("counts for %s: cannot send %T as an array", table, rows[0][c])
		}
	}
	params := make([]string, cols)
	for c := range params {
		params[c] = fmt.Sprintf("$%d::%s", c+1, casts[c])
	}
	q := "INSERT INTO " + table + " (" + strings.Join(keys, ", ") + ", n) SELECT * FROM unnest(" + strings.Join(params, ", ") +
		") ON CONFLICT (" + strings.Join(keys, ", ") + ") DO UPDATE SET n = " + table + ".n + excluded.n"
	_, err := t.tx.ExecContext(ctx, q, arrays...)
	return err
}

// compareValues orders two key values of the same column.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case int64:
		return cmp.Compare(x, b.(int64))
	case int:
		return cmp.Compare(x, b.(int))
	case float64:
		return cmp.Compare(x, b.(float64))
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}
