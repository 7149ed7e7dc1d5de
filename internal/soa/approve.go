package soa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// frozenFormat is the version of the stored snapshot's encoding.
const frozenFormat = 1

// frozen is what a version stores of the draft at approval, as JSON in
// soa_versions.entries. Its SHA-256 is recorded in the approval's audit
// event, so the signed checkpoint covers the content too.
type frozen struct {
	Format         int     `json:"format"`
	Organisation   string  `json:"organisation"`
	Scope          string  `json:"scope"`
	ApprovedByName string  `json:"approved_by_name"`
	Controls       []Entry `json:"controls"`
}

// blockersShown is how many blocking controls an approval refusal names.
const blockersShown = 10

// Approve freezes the draft as the next numbered version. It is refused
// while the scope is empty or any control lacks an organisation-level
// decision with a justification. In one transaction it stores the whole
// effective content, records the soa.approve event and signs an audit
// checkpoint that covers that event, and names the checkpoint in the
// version. The draft stays as it is, to become the next version.
func (s *Service) Approve(ctx context.Context, actor *aims.Actor, req ApproveRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActSoAApprove); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden,
			"a Statement of Applicability is approved by a person: sign in, or use your own API token")
	}
	var p aims.Problems
	note := req.Note
	checkText(&p, "note", &note, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	x, err := s.external(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	var number int
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		// Lock the draft so that no change slips in while it is frozen.
		if _, err := tx.ExecContext(ctx, `UPDATE soa_drafts SET version = version WHERE org_id = ?`, actor.OrgID); err != nil {
			return err
		}
		d, err := s.assemble(ctx, tx, actor.OrgID, x)
		if err != nil {
			return err
		}
		if err := approvable(d); err != nil {
			return err
		}
		number = d.LatestVersion + 1
		var approver string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, actor.UserID).Scan(&approver); err != nil {
			return fmt.Errorf("cannot read the approver's name: %w", err)
		}
		content, err := json.Marshal(frozen{Format: frozenFormat, Organisation: d.Organisation, Scope: d.Scope,
			ApprovedByName: approver, Controls: d.Entries})
		if err != nil {
			return err
		}
		sum := sha256.Sum256(content)
		id := aims.NewID()
		changes := []tlog.Change{
			{Field: "number", After: mustJSON(number)},
			{Field: "content_sha256", After: mustJSON(hex.EncodeToString(sum[:]))},
			{Field: "decided", After: mustJSON(d.Decided)},
			{Field: "applicable", After: mustJSON(d.Applicable)},
		}
		if note != "" {
			changes = append(changes, tlog.Change{Field: "note", After: mustJSON(note)})
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionApprove,
			tlog.EventObject{Type: ObjectVersion, ID: id, Ref: "SoA v" + itoa(number)}, changes); err != nil {
			return err
		}
		logID, err := tlog.LogID(ctx, tx, actor.OrgID, tlog.KindAudit, "")
		if err != nil {
			return err
		}
		cp, err := s.logs.SignTx(ctx, tx, logID, false)
		if err != nil {
			return fmt.Errorf("cannot sign the audit checkpoint: %w", err)
		}
		if cp == nil {
			return errors.New("no audit checkpoint was signed for the approval")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO soa_versions (id, org_id, number, scope, note, approved_by, approved_at,
			checkpoint_size, checkpoint_root, checkpoint_note, entries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, actor.OrgID, number, d.Scope, note, actor.UserID, now, cp.Size, cp.Root[:], cp.Note, string(content))
		if db.IsUniqueViolation(err) {
			return aims.Errorf(aims.CodeConflict, "version %d was approved by someone else at the same time: reload and look at it", number)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot approve the Statement of Applicability: %w", err)
	}
	return s.version(ctx, s.db, actor.OrgID, number)
}

// approvable refuses a draft that cannot be approved yet, saying why.
func approvable(d *Draft) error {
	var why []string
	if d.ScopeMissing {
		why = append(why, "the scope is empty")
	}
	if n := len(d.Blockers); n > 0 {
		shown := d.Blockers[:min(n, blockersShown)]
		msg := fmt.Sprintf("%d of %d controls have no decision for the organisation with a justification: %s",
			n, d.Total, strings.Join(shown, ", "))
		if n > len(shown) {
			msg += fmt.Sprintf(" and %d more", n-len(shown))
		}
		if n == 1 {
			msg = fmt.Sprintf("1 of %d controls has no decision for the organisation with a justification: %s", d.Total, shown[0])
		}
		why = append(why, msg)
	}
	if len(why) == 0 {
		return nil
	}
	return aims.Errorf(aims.CodeConflict, "the draft cannot be approved yet: %s", strings.Join(why, "; "))
}

// Versions lists the approved versions, newest first.
func (s *Service) Versions(ctx context.Context, actor *aims.Actor) ([]VersionSummary, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.number, v.note, v.approved_by, COALESCE(u.name, ''), v.approved_at, v.checkpoint_size
		FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by WHERE v.org_id = ? ORDER BY v.number DESC`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []VersionSummary{}
	for rows.Next() {
		var v VersionSummary
		if err := rows.Scan(&v.Number, &v.Note, &v.ApprovedBy, &v.ApprovedByName, &v.ApprovedAt, &v.CheckpointSize); err != nil {
			return nil, err
		}
		v.ApprovedAt = v.ApprovedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Version returns an approved version with its frozen content.
func (s *Service) Version(ctx context.Context, actor *aims.Actor, number int) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.version(ctx, s.db, actor.OrgID, number)
}

func (s *Service) version(ctx context.Context, q db.Queryer, orgID string, number int) (*Version, error) {
	v := &Version{Number: number, Checkpoint: &Checkpoint{}}
	var content string
	err := q.QueryRowContext(ctx, `SELECT scope, note, approved_by, approved_at, checkpoint_size, checkpoint_root, checkpoint_note, entries
		FROM soa_versions WHERE org_id = ? AND number = ?`, orgID, number).
		Scan(&v.Scope, &v.Note, &v.ApprovedBy, &v.ApprovedAt, &v.Checkpoint.Size, &v.Checkpoint.Root, &v.Checkpoint.Note, &content)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("Statement of Applicability version", itoa(number))
	}
	if err != nil {
		return nil, err
	}
	v.ApprovedAt = v.ApprovedAt.UTC()
	v.Checkpoint.Origin, _, _ = strings.Cut(v.Checkpoint.Note, "\n")
	var f frozen
	if err := json.Unmarshal([]byte(content), &f); err != nil {
		return nil, fmt.Errorf("stored content of version %d: %w", number, err)
	}
	if f.Format != frozenFormat {
		return nil, fmt.Errorf("stored content of version %d has unknown format %d", number, f.Format)
	}
	v.Organisation, v.ApprovedByName, v.Controls = f.Organisation, f.ApprovedByName, f.Controls
	for i := range v.Controls {
		c := &v.Controls[i]
		if c.Overrides == nil {
			c.Overrides = []Override{}
		}
		if c.Evidence == nil {
			c.Evidence = []EvidenceRef{}
		}
		if c.Risks == nil {
			c.Risks = []RiskRef{}
		}
	}
	return v, nil
}

// draftVersion prepares the draft as a version for exports and comparison.
func (s *Service) draftVersion(ctx context.Context, orgID string) (*Version, error) {
	d, err := s.draft(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	return &Version{Draft: true, Organisation: d.Organisation, Scope: d.Scope, Controls: d.Entries}, nil
}

// Approval names an approved version: its number, approver and time.
type Approval struct {
	Number         int       `json:"number"`
	ApprovedBy     string    `json:"approved_by"`
	ApprovedByName string    `json:"approved_by_name"`
	ApprovedAt     time.Time `json:"approved_at"`
}

// SnapshotEntry is an organisation-level decision of the draft.
type SnapshotEntry struct {
	ControlID     string `json:"control_id"`
	Applicable    bool   `json:"applicable"`
	Justification string `json:"justification"`
	Status        string `json:"status"`
	OwnerID       string `json:"owner_id"`
}

// Snapshot is what other capabilities, such as readiness, read of an
// organisation's Statement of Applicability.
type Snapshot struct {
	// Latest is the latest approved version, nil when none has been approved.
	Latest *Approval `json:"latest"`
	// Entries are the draft's organisation-level decisions on the controls
	// the organisation must decide on, in catalogue order; overrides for
	// AI systems are left out.
	Entries []SnapshotEntry `json:"entries"`
	// Undecided lists, in catalogue order, the controls that have no
	// organisation-level decision yet.
	Undecided []string `json:"undecided"`
}

// Snapshot returns, without checking any actor, the latest approved version
// of an organisation's Statement of Applicability (or none) and the
// organisation-level decisions of its draft. It is for another capability
// whose service has already authorised its actor in that organisation.
func (s *Service) Snapshot(ctx context.Context, orgID string) (*Snapshot, error) {
	out := &Snapshot{Entries: []SnapshotEntry{}, Undecided: []string{}}
	var a Approval
	err := s.db.QueryRowContext(ctx, `SELECT v.number, v.approved_by, COALESCE(u.name, ''), v.approved_at
		FROM soa_versions v LEFT JOIN users u ON u.id = v.approved_by
		WHERE v.org_id = ? ORDER BY v.number DESC LIMIT 1`, orgID).Scan(&a.Number, &a.ApprovedBy, &a.ApprovedByName, &a.ApprovedAt)
	switch {
	case db.IsNoRows(err):
	case err != nil:
		return nil, err
	default:
		a.ApprovedAt = a.ApprovedAt.UTC()
		out.Latest = &a
	}
	controls, err := s.sources.Controls(ctx, orgID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT control_id, applicable, justification, status, COALESCE(owner_id, '')
		FROM soa_entries WHERE org_id = ? AND system_id = ''`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[string]SnapshotEntry{}
	for rows.Next() {
		var e SnapshotEntry
		if err := rows.Scan(&e.ControlID, &e.Applicable, &e.Justification, &e.Status, &e.OwnerID); err != nil {
			return nil, err
		}
		byID[e.ControlID] = e
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range controls {
		if e, ok := byID[c.ID]; ok {
			out.Entries = append(out.Entries, e)
		} else {
			out.Undecided = append(out.Undecided, c.ID)
		}
	}
	return out, nil
}

// mustJSON encodes values that always encode: strings, numbers and booleans.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
