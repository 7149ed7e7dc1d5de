package api_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/tlog"
	"golang.org/x/mod/sumdb/note"
)

// signedRoot checks a checkpoint note with the published key and returns
// the size and root it signs.
func signedRoot(t *testing.T, w *world, text []byte) (int64, tlog.Hash) {
	t.Helper()
	key := w.call(t, "none", "GET", "/api/v1/audit/key", "")
	if key.status != 200 {
		t.Fatalf("key = %d", key.status)
	}
	vs, err := tlog.Verifiers(strings.TrimSpace(string(key.body)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(text, vs)
	if err != nil {
		t.Fatalf("checkpoint does not verify with the published key: %v\n%s", err, text)
	}
	origin, size, root, err := tlog.ParseCheckpoint(n.Text)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "aims/audit/"+w.Org.ID {
		t.Errorf("origin %q, want aims/audit/%s", origin, w.Org.ID)
	}
	return size, root
}

func TestAuditEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{
			{name: "no checkpoint yet", who: "auditor", method: "GET", path: "/api/v1/audit/checkpoint", status: 404},
			{name: "contributor may not sign", who: "contributor", method: "POST", path: "/api/v1/audit/checkpoint", status: 403},
			{name: "viewer may not read", who: "viewer", method: "GET", path: "/api/v1/audit/entries", status: 403},
			{name: "contributor may not read", who: "contributor", method: "GET", path: "/api/v1/audit/verify", status: 403},
			{name: "anonymous may not read", who: "none", method: "GET", path: "/api/v1/audit/entries", status: 401},
		})
		first := w.call(t, "manager", "POST", "/api/v1/audit/checkpoint", "")
		if first.status != 200 || !strings.HasPrefix(first.header.Get("Content-Type"), "text/plain") {
			t.Fatalf("sign = %d %s %s", first.status, first.header.Get("Content-Type"), first.body)
		}
		oldSize, oldRoot := signedRoot(t, w, first.body)
		if want := int64(len(w.Actions(w.Org.ID))); oldSize != want {
			t.Errorf("checkpoint size %d, want the %d events", oldSize, want)
		}
		for i := 0; i < 3; i++ {
			w.call(t, "owner", "POST", "/api/v1/systems", fmt.Sprintf(`{"name":"S%d","intended_purpose":"p"}`, i))
		}
		second := w.call(t, "owner", "POST", "/api/v1/audit/checkpoint", "")
		size, root := signedRoot(t, w, second.body)
		if size != oldSize+3 {
			t.Fatalf("second checkpoint size %d, want %d", size, oldSize+3)
		}
		latest := w.call(t, "auditor", "GET", "/api/v1/audit/checkpoint", "")
		if string(latest.body) != string(second.body) {
			t.Errorf("latest checkpoint differs from the one just signed")
		}

		// Every entry's payload hashes to its leaf, which is provably in the signed tree.
		var page struct {
			Size  int64
			Next  *int64
			Items []struct {
				Index       int64
				LeafHash    []byte `json:"leaf_hash"`
				PayloadHash []byte `json:"payload_hash"`
				Payload     *string
			}
		}
		var all []int64
		from := int64(0)
		for {
			r := w.call(t, "auditor", "GET", fmt.Sprintf("/api/v1/audit/entries?from=%d&limit=2", from), "")
			if r.status != 200 {
				t.Fatalf("entries = %d %s", r.status, r.body)
			}
			page.Next = nil
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Items {
				all = append(all, e.Index)
				ph := sha256.Sum256([]byte(*e.Payload))
				if string(ph[:]) != string(e.PayloadHash) {
					t.Errorf("entry %d: payload does not hash to payload_hash", e.Index)
				}
				leaf := tlog.LeafHash([]byte(*e.Payload))
				if string(leaf[:]) != string(e.LeafHash) {
					t.Errorf("entry %d: wrong leaf hash", e.Index)
				}
				var p struct {
					Index    int64
					Size     int64
					LeafHash []byte `json:"leaf_hash"`
					RootHash []byte `json:"root_hash"`
					Hashes   [][]byte
				}
				pr := w.call(t, "auditor", "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", e.Index, size), "")
				if err := json.Unmarshal(pr.body, &p); err != nil || pr.status != 200 {
					t.Fatalf("inclusion proof = %d %s", pr.status, pr.body)
				}
				if err := tlog.CheckInclusion(toHashes(p.Hashes), size, root, e.Index, leaf); err != nil {
					t.Errorf("entry %d: inclusion proof does not verify against the signed root: %v", e.Index, err)
				}
			}
			if page.Next == nil {
				break
			}
			from = *page.Next
		}
		if int64(len(all)) != size || page.Size != size {
			t.Errorf("paged through %d entries of %d", len(all), size)
		}

		var c struct {
			OldRoot []byte `json:"old_root"`
			NewRoot []byte `json:"new_root"`
			Hashes  [][]byte
		}
		cr := w.call(t, "owner", "GET", fmt.Sprintf("/api/v1/audit/proof/consistency?old=%d&new=%d", oldSize, size), "")
		if err := json.Unmarshal(cr.body, &c); err != nil || cr.status != 200 {
			t.Fatalf("consistency proof = %d %s", cr.status, cr.body)
		}
		if err := tlog.CheckConsistency(toHashes(c.Hashes), size, root, oldSize, oldRoot); err != nil {
			t.Errorf("consistency proof between the two signed checkpoints does not verify: %v", err)
		}

		w.run(t, []step{
			{name: "index beyond size", who: "auditor", method: "GET", path: "/api/v1/audit/proof/inclusion?index=5&size=2", status: 422,
				fields: []string{"query.index"}},
			{name: "size beyond log", who: "auditor", method: "GET", path: fmt.Sprintf("/api/v1/audit/proof/inclusion?index=0&size=%d", size+10), status: 422,
				fields: []string{"query.size"}},
			{name: "missing size", who: "auditor", method: "GET", path: "/api/v1/audit/proof/inclusion?index=0", status: 422},
			{name: "old after new", who: "auditor", method: "GET", path: "/api/v1/audit/proof/consistency?old=3&new=2", status: 422,
				fields: []string{"query.old"}},
			{name: "verify", who: "auditor", method: "GET", path: "/api/v1/audit/verify", status: 200,
				has: []string{`"ok":true`, fmt.Sprintf(`"latest_checkpoint_size":%d`, size), `"problems":[]`}},
			{name: "another organisation's log", who: "globex", method: "GET", path: "/api/v1/audit/entries", status: 200,
				has: []string{`\"org\":\"` + w.globex + `\"`}},
		})
		other := w.call(t, "globex", "GET", "/api/v1/audit/entries", "")
		if strings.Contains(string(other.body), w.Org.ID) {
			t.Error("another organisation's audit entries mention Acme")
		}
	})
}

func toHashes(bs [][]byte) []tlog.Hash {
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		copy(out[i][:], b)
	}
	return out
}
