package db_test

import (
	"context"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestBulkInsert stores rows with Insert and with InsertFunc reusing one
// row, in numbers that leave remainders of every size below a statement's,
// and checks every row arrived once, on both databases.
func TestBulkInsert(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, `CREATE TABLE bulk_rows (n INTEGER PRIMARY KEY, label TEXT, half INTEGER)`); err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, count := range []int{1, 999, 1000, 1001, 2345} {
			err := d.WithBulkTx(ctx, func(tx *db.Tx) error {
				if count%2 == 1 {
					rows := make([][]any, count)
					for i := range rows {
						rows[i] = []any{total + i, "x", (total + i) / 2}
					}
					return tx.Insert(ctx, "bulk_rows", []string{"n", "label", "half"}, rows)
				}
				i, row := 0, make([]any, 0, 3)
				return tx.InsertFunc(ctx, "bulk_rows", []string{"n", "label", "half"}, func() ([]any, error) {
					if i == count {
						return nil, nil
					}
					row = append(row[:0], total+i, "y", (total+i)/2)
					i++
					return row, nil
				})
			})
			if err != nil {
				t.Fatalf("%d rows: %v", count, err)
			}
			total += count
		}
		var n, sum, halves int
		if err := d.QueryRowContext(ctx, `SELECT count(*), sum(n), sum(half) FROM bulk_rows`).Scan(&n, &sum, &halves); err != nil {
			t.Fatal(err)
		}
		wantHalves := 0
		for i := 0; i < total; i++ {
			wantHalves += i / 2
		}
		if n != total || sum != total*(total-1)/2 || halves != wantHalves {
			t.Fatalf("got %d rows summing to %d (halves %d), want %d rows summing to %d (halves %d)",
				n, sum, halves, total, total*(total-1)/2, wantHalves)
		}
		// A row of the wrong width is refused, and the transaction rolled back.
		err := d.WithBulkTx(ctx, func(tx *db.Tx) error {
			return tx.Insert(ctx, "bulk_rows", []string{"n", "label", "half"}, [][]any{{total, "z"}})
		})
		if err == nil {
			t.Fatal("a short row was accepted")
		}
	})
}
