package decision

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/tlog"
	"golang.org/x/mod/sumdb/note"
)

// ReceiptFormat names the version of the receipt's JSON form.
const ReceiptFormat = "aims-decision-receipt/v1"

// Receipt proves that a decision is in a system's decision log: the record's
// hash, an RFC 6962 inclusion proof and a signed checkpoint of the log.
// Hashes are standard base64, as in the checkpoint. docs/decisions.md
// describes how to check one by hand.
type Receipt struct {
	Format string `json:"format" doc:"aims-decision-receipt/v1"`
	// Origin is the log's name, the first line of the checkpoint.
	Origin string `json:"origin"`
	// System is the system's reference, for people; the signed origin names
	// the system by id, and only the origin is verified.
	System string `json:"system"`
	Index  int64  `json:"index" doc:"The decision's index in the log."`
	// RecordHash is the SHA-256 of the canonical record; the leaf is its RFC 6962 leaf hash.
	RecordHash string `json:"record_hash"`
	// Record is the canonical record in base64; absent once erased.
	Record     string   `json:"record,omitempty"`
	TreeSize   int64    `json:"tree_size" doc:"The size of the tree the proof and checkpoint are for."`
	Proof      []string `json:"inclusion_proof"`
	Checkpoint string   `json:"checkpoint" doc:"The signed checkpoint (a C2SP signed note) of the log at tree_size."`
}

// Receipt returns the receipt of one decision, by index or client id. When no
// signed checkpoint covers the decision yet, one is signed.
func (s *Service) Receipt(ctx context.Context, actor *aims.Actor, systemRef, key string) (*Receipt, error) {
	l, err := s.readableLog(ctx, actor, systemRef, key)
	if err != nil {
		return nil, err
	}
	d, err := s.get(ctx, actor.OrgID, l, key)
	if err != nil {
		return nil, err
	}
	cp, err := tlog.LatestCheckpoint(ctx, s.db, l.LogID)
	if err != nil && aims.CodeOf(err) != aims.CodeNotFound {
		return nil, err
	}
	if cp == nil || cp.Size <= d.Index {
		if cp, err = s.logs.Sign(ctx, l.LogID, false); err != nil {
			return nil, fmt.Errorf("cannot sign a checkpoint for the receipt: %w", err)
		}
		if cp == nil {
			if cp, err = tlog.LatestCheckpoint(ctx, s.db, l.LogID); err != nil {
				return nil, err
			}
		}
	}
	proof, _, _, err := tlog.InclusionProof(ctx, s.db, l.LogID, d.Index, cp.Size)
	if err != nil {
		return nil, err
	}
	hash, err := hexHash(d.RecordHash)
	if err != nil {
		return nil, err
	}
	r := &Receipt{Format: ReceiptFormat, Origin: cp.Origin, System: l.SystemRef, Index: d.Index,
		RecordHash: base64.StdEncoding.EncodeToString(hash[:]), TreeSize: cp.Size, Checkpoint: cp.Note,
		Proof: make([]string, len(proof))}
	for i, h := range proof {
		r.Proof[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	if d.payload != nil {
		r.Record = base64.StdEncoding.EncodeToString(d.payload)
	}
	return r, nil
}

func hexHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, errors.New("malformed record hash")
	}
	copy(h[:], b)
	return h, nil
}

// Verified is what checking a receipt established.
type Verified struct {
	Origin   string
	Index    int64
	TreeSize int64
	// Signers names the keys whose signatures on the checkpoint verified.
	Signers []string
	// Record is the decision, when the receipt carries it.
	Record *Stored
}

// VerifyReceipt checks a receipt offline against trusted checkpoint keys:
// the checkpoint's signature, that it names the receipt's log and size, the
// record's hash when the record is included, and the inclusion proof of the
// record's leaf in the signed tree.
func VerifyReceipt(data []byte, verifiers note.Verifiers) (*Verified, error) {
	var r Receipt
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not a decision receipt: %w", err)
	}
	if r.Format != ReceiptFormat {
		return nil, fmt.Errorf("unsupported receipt format %q; want %s", r.Format, ReceiptFormat)
	}
	n, err := note.Open([]byte(r.Checkpoint), verifiers)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint's signature does not verify with the given key: %w", err)
	}
	origin, size, root, err := tlog.ParseCheckpoint(n.Text)
	if err != nil {
		return nil, err
	}
	if origin != r.Origin {
		return nil, fmt.Errorf("the checkpoint is for log %q, not the receipt's %q", origin, r.Origin)
	}
	if size != r.TreeSize {
		return nil, fmt.Errorf("the checkpoint is for a tree of %d entries, not the receipt's %d", size, r.TreeSize)
	}
	if r.Index < 0 || r.Index >= size {
		return nil, fmt.Errorf("index %d lies outside the signed tree of %d entries", r.Index, size)
	}
	hb, err := base64.StdEncoding.DecodeString(r.RecordHash)
	if err != nil || len(hb) != sha256.Size {
		return nil, errors.New("malformed record_hash: want a base64 SHA-256")
	}
	v := &Verified{Origin: origin, Index: r.Index, TreeSize: size}
	if r.Record != "" {
		rec, err := base64.StdEncoding.DecodeString(r.Record)
		if err != nil {
			return nil, errors.New("malformed record: want base64")
		}
		if sum := sha256.Sum256(rec); string(sum[:]) != string(hb) {
			return nil, errors.New("the record does not match record_hash: it was altered")
		}
		if v.Record, err = ParseRecord(rec); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(origin, "/"+v.Record.System) {
			return nil, fmt.Errorf("the record is of system %s, not of the log %q", v.Record.System, origin)
		}
	}
	proof := make([]tlog.Hash, len(r.Proof))
	for i, p := range r.Proof {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("malformed inclusion_proof[%d]", i)
		}
		copy(proof[i][:], b)
	}
	var ph tlog.Hash
	copy(ph[:], hb)
	if err := tlog.CheckInclusion(proof, size, root, r.Index, tlog.RecordLeaf(ph)); err != nil {
		return nil, fmt.Errorf("the inclusion proof does not lead to the signed root: %w", err)
	}
	for _, s := range n.Sigs {
		v.Signers = append(v.Signers, s.Name)
	}
	return v, nil
}
