package db

import (
	"context"
	"fmt"
)

// NextRef allocates the next short reference of a kind in an organisation,
// such as SYS-1, inside the caller's transaction.
func NextRef(ctx context.Context, tx *Tx, orgID, prefix string) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO refs (org_id, kind, last) VALUES (?, ?, 1)
		 ON CONFLICT (org_id, kind) DO UPDATE SET last = refs.last + 1
		 RETURNING last`, orgID, prefix).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("cannot allocate a %s reference: %w", prefix, err)
	}
	return fmt.Sprintf("%s-%d", prefix, n), nil
}
