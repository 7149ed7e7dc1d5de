package tlog

import (
	"crypto/sha256"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestHashesMatchSumdb checks the allocation-free RFC 6962 hashes against
// golang.org/x/mod/sumdb/tlog's.
func TestHashesMatchSumdb(t *testing.T) {
	for i := 0; i < 100; i++ {
		a := Hash(sha256.Sum256([]byte{byte(i)}))
		b := Hash(sha256.Sum256([]byte{byte(i), 1}))
		if leafHash(a) != tlog.RecordHash(a[:]) {
			t.Fatalf("leaf hash %d differs", i)
		}
		if nodeHash(a, b) != tlog.NodeHash(a, b) {
			t.Fatalf("node hash %d differs", i)
		}
	}
}
