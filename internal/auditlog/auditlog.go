// Package auditlog lets people read an organisation's audit log: its
// entries, signed checkpoints, proofs and verification, with the access
// rules of the auditor role.
package auditlog

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Service reads and signs organisations' audit logs.
type Service struct {
	db   *db.DB
	logs *tlog.Logs
	// VerifierKey is the public key of this installation's checkpoints.
	VerifierKey string
}

// New returns the audit log service.
func New(d *db.DB, logs *tlog.Logs, verifierKey string) *Service {
	return &Service{db: d, logs: logs, VerifierKey: verifierKey}
}

func (s *Service) logID(ctx context.Context, actor *aims.Actor, action string) (string, error) {
	if err := identity.Authorize(actor, action); err != nil {
		return "", err
	}
	return tlog.LogID(ctx, s.db, actor.OrgID, tlog.KindAudit, "")
}

// Checkpoint returns the latest signed checkpoint of the organisation's log.
func (s *Service) Checkpoint(ctx context.Context, actor *aims.Actor) (*tlog.Checkpoint, error) {
	id, err := s.logID(ctx, actor, identity.ActAuditRead)
	if err != nil {
		return nil, err
	}
	return tlog.LatestCheckpoint(ctx, s.db, id)
}

// Sign signs a checkpoint now if the log has grown since the last one, and
// returns the latest checkpoint either way. Signing is not a change to the
// management system, so it adds no audit event.
func (s *Service) Sign(ctx context.Context, actor *aims.Actor) (*tlog.Checkpoint, error) {
	id, err := s.logID(ctx, actor, identity.ActAuditSign)
	if err != nil {
		return nil, err
	}
	if _, err := s.logs.Sign(ctx, id, false); err != nil {
		return nil, err
	}
	return tlog.LatestCheckpoint(ctx, s.db, id)
}

// Entry is an audit log entry with its decoded event.
type Entry struct {
	Index       int64       `json:"index"`
	LeafHash    []byte      `json:"leaf_hash" doc:"RFC 6962 leaf hash of the payload's SHA-256."`
	PayloadHash []byte      `json:"payload_hash" doc:"SHA-256 of the canonical event bytes."`
	Payload     []byte      `json:"payload" doc:"The canonical event bytes; absent when erased."`
	ErasedAt    *time.Time  `json:"erased_at,omitempty"`
	CreatedAt   time.Time   `json:"created_at"`
	Event       *tlog.Event `json:"-"`
}

// Entries returns up to limit entries from index from, oldest first.
func (s *Service) Entries(ctx context.Context, actor *aims.Actor, from int64, limit int) ([]Entry, int64, error) {
	id, err := s.logID(ctx, actor, identity.ActAuditRead)
	if err != nil {
		return nil, 0, err
	}
	var p aims.Problems
	if from < 0 {
		p.Add("from", "must not be negative")
	}
	if limit < 1 || limit > 1000 {
		p.Add("limit", "must be between 1 and 1000")
	}
	if err := p.Err(); err != nil {
		return nil, 0, err
	}
	size, err := tlog.Size(ctx, s.db, id)
	if err != nil {
		return nil, 0, err
	}
	es, err := tlog.Entries(ctx, s.db, id, from, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Entry, 0, len(es))
	for _, e := range es {
		x := Entry{Index: e.Index, LeafHash: e.LeafHash[:], PayloadHash: e.PayloadHash[:], Payload: e.Payload,
			ErasedAt: e.ErasedAt, CreatedAt: e.CreatedAt}
		if e.Payload != nil {
			if ev, err := tlog.DecodeEvent(e.Payload); err == nil {
				ev.Index = e.Index
				x.Event = ev
			}
		}
		out = append(out, x)
	}
	return out, size, nil
}

// Events returns the organisation's audit events, newest first.
func (s *Service) Events(ctx context.Context, actor *aims.Actor, f tlog.EventFilter) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActAuditRead); err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, f)
}

// InclusionProof proves that entry index is in the tree of the given size.
func (s *Service) InclusionProof(ctx context.Context, actor *aims.Actor, index, size int64) (proof []tlog.Hash, leaf, root tlog.Hash, err error) {
	id, err := s.logID(ctx, actor, identity.ActAuditRead)
	if err != nil {
		return nil, leaf, root, err
	}
	return tlog.InclusionProof(ctx, s.db, id, index, size)
}

// ConsistencyProof proves that the tree of size old is a prefix of the tree of size new.
func (s *Service) ConsistencyProof(ctx context.Context, actor *aims.Actor, old, new int64) (proof []tlog.Hash, oldRoot, newRoot tlog.Hash, err error) {
	id, err := s.logID(ctx, actor, identity.ActAuditRead)
	if err != nil {
		return nil, oldRoot, newRoot, err
	}
	return tlog.ConsistencyProof(ctx, s.db, id, old, new)
}

// Status is a quick check of the latest checkpoint, cheap enough for every
// page view: its signature, and its root against the stored tree.
type Status struct {
	Size       int64
	Checkpoint *tlog.Checkpoint
	// Verified is true when the checkpoint's signature is valid and its root
	// matches the tree as stored now.
	Verified bool
	Problem  string
}

// QuickStatus checks the latest checkpoint against the stored tree.
func (s *Service) QuickStatus(ctx context.Context, actor *aims.Actor) (*Status, error) {
	id, err := s.logID(ctx, actor, identity.ActAuditRead)
	if err != nil {
		return nil, err
	}
	st := &Status{}
	if st.Size, err = tlog.Size(ctx, s.db, id); err != nil {
		return nil, err
	}
	cp, err := tlog.LatestCheckpoint(ctx, s.db, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		st.Problem = "no checkpoint has been signed yet"
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.Checkpoint = cp
	vs, err := tlog.Verifiers(s.VerifierKey)
	if err != nil {
		return nil, err
	}
	report := &tlog.LogReport{Origin: cp.Origin}
	root, err := tlog.TreeHash(ctx, s.db, id, cp.Size)
	if err != nil {
		st.Problem = fmt.Sprintf("the stored tree cannot be read at size %d: %v", cp.Size, err)
		return st, nil
	}
	tlog.CheckCheckpoint(report, cp, root, vs)
	if report.OK() {
		st.Verified = true
	} else {
		st.Problem = report.Problems[0].String()
	}
	return st, nil
}

// Verify fully verifies the organisation's audit log: every entry, stored
// hash, index row and checkpoint.
func (s *Service) Verify(ctx context.Context, actor *aims.Actor) (*tlog.LogReport, error) {
	id, err := s.logID(ctx, actor, identity.ActAuditRead)
	if err != nil {
		return nil, err
	}
	vs, err := tlog.Verifiers(s.VerifierKey)
	if err != nil {
		return nil, err
	}
	return tlog.VerifyLog(ctx, s.db, id, tlog.VerifyOptions{Verifiers: vs})
}
