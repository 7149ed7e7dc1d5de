package tlog

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// verifyBatch is how many entries verification reads per query.
const verifyBatch = 5000

// maxProblems bounds the problems reported per log; the first one matters most.
const maxProblems = 50

// Problem is one thing found wrong in a log.
type Problem struct {
	// Index is the entry concerned, or -1 when the problem is not about one entry.
	Index   int64
	Message string
}

func (p Problem) String() string {
	if p.Index >= 0 {
		return fmt.Sprintf("entry %d: %s", p.Index, p.Message)
	}
	return p.Message
}

// LogReport is the outcome of verifying one log.
type LogReport struct {
	LogID   string
	Origin  string
	Kind    string
	OrgID   string
	Subject string
	// Size is the size the database records for the log.
	Size int64
	// Entries is how many entries were read and checked.
	Entries int64
	Erased  int64
	// Root is the root hash recomputed from the entries at Size.
	Root Hash
	// Checkpoints counts stored checkpoints; Verified those that passed.
	Checkpoints int
	Verified    int
	// Latest is the latest verified checkpoint, if any.
	Latest *Checkpoint
	// Problems lists what is wrong, first found first; empty means the log verifies.
	Problems  []Problem
	Truncated bool
}

// OK reports whether the log verified without any problem.
func (r *LogReport) OK() bool { return len(r.Problems) == 0 }

func (r *LogReport) add(index int64, format string, args ...any) {
	if len(r.Problems) >= maxProblems {
		r.Truncated = true
		return
	}
	r.Problems = append(r.Problems, Problem{Index: index, Message: fmt.Sprintf(format, args...)})
}

// VerifyOptions configures verification.
type VerifyOptions struct {
	// Verifiers holds the trusted checkpoint keys. Checkpoints signed by any
	// other key fail verification.
	Verifiers note.Verifiers
	// Progress, when set, is told how far verification of a log has come.
	Progress func(origin string, done, total int64)
}

// VerifyAll verifies every log in the database, or only those of one
// organisation when org is not empty.
func VerifyAll(ctx context.Context, q db.Queryer, org string, opts VerifyOptions) ([]*LogReport, error) {
	query := `SELECT id FROM logs ORDER BY created_at, id`
	var args []any
	if org != "" {
		query = `SELECT id FROM logs WHERE org_id = ? ORDER BY created_at, id`
		args = append(args, org)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*LogReport
	for _, id := range ids {
		r, err := VerifyLog(ctx, q, id, opts)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// VerifyLog recomputes a log's tree from its entries and checks it against
// the payloads, the stored tree hashes, the audit index and every signed
// checkpoint. Problems go into the report; an error means verification could
// not run at all.
func VerifyLog(ctx context.Context, q db.Queryer, logID string, opts VerifyOptions) (*LogReport, error) {
	r := &LogReport{LogID: logID}
	err := q.QueryRowContext(ctx, `SELECT origin, kind, org_id, subject_id, size FROM logs WHERE id = ?`, logID).
		Scan(&r.Origin, &r.Kind, &r.OrgID, &r.Subject, &r.Size)
	if err != nil {
		return nil, fmt.Errorf("cannot read log %s: %w", logID, err)
	}
	cps, err := loadCheckpoints(ctx, q, logID, r.Origin)
	if err != nil {
		return nil, err
	}
	r.Checkpoints = len(cps)
	// Checkpoints by size, to meet them while the tree is rebuilt.
	bySize := append([]*Checkpoint(nil), cps...)
	sort.SliceStable(bySize, func(i, j int) bool { return bySize[i].Size < bySize[j].Size })
	next := 0

	v := &treeCheck{report: r}
	for from := int64(0); from < r.Size; from += verifyBatch {
		to := min(from+verifyBatch, r.Size)
		if err := v.batch(ctx, q, logID, from, to, func(size int64, root func() Hash) {
			for next < len(bySize) && bySize[next].Size <= size {
				if bySize[next].Size == size {
					CheckCheckpoint(r, bySize[next], root(), opts.Verifiers)
				}
				next++
			}
		}); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(r.Origin, to, r.Size)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if v.intact {
		r.Root = v.root()
	}
	for ; next < len(bySize); next++ {
		c := bySize[next]
		if c.Size > r.Size {
			r.add(-1, "checkpoint of size %d signed at %s covers more entries than the %d stored: entries were removed",
				c.Size, c.SignedAt.Format(time.RFC3339), r.Size)
		} else if c.Size == 0 {
			CheckCheckpoint(r, c, emptyRoot, opts.Verifiers)
		}
	}
	// Checkpoints in the order they were signed must never shrink.
	for i := 1; i < len(cps); i++ {
		if cps[i].Size < cps[i-1].Size {
			r.add(-1, "checkpoint signed at %s has size %d, smaller than the earlier checkpoint's %d: the log was rolled back",
				cps[i].SignedAt.Format(time.RFC3339), cps[i].Size, cps[i-1].Size)
		}
	}
	if err := checkExtraRows(ctx, q, r); err != nil {
		return nil, err
	}
	return r, nil
}

// emptyRoot is the RFC 6962 hash of an empty tree.
var emptyRoot = Hash(sha256.Sum256(nil))

func loadCheckpoints(ctx context.Context, q db.Queryer, logID, origin string) ([]*Checkpoint, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
		WHERE log_id = ? ORDER BY signed_at, size`, logID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Checkpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows.Scan, origin)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CheckCheckpoint checks a checkpoint's signature and that its body names the
// log, its size and the root recomputed from the entries.
func CheckCheckpoint(r *LogReport, c *Checkpoint, root Hash, verifiers note.Verifiers) {
	at := c.SignedAt.Format(time.RFC3339)
	if verifiers == nil {
		r.add(-1, "checkpoint of size %d signed at %s: no trusted key to check its signature", c.Size, at)
		return
	}
	n, err := note.Open([]byte(c.Note), verifiers)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			var names []string
			for _, s := range unverified.Note.UnverifiedSigs {
				names = append(names, s.Name)
			}
			r.add(-1, "checkpoint of size %d signed at %s is signed by %s, which is not a trusted key",
				c.Size, at, strings.Join(names, ", "))
		} else {
			r.add(-1, "checkpoint of size %d signed at %s: signature does not verify: %v", c.Size, at, err)
		}
		return
	}
	origin, size, signedRoot, err := ParseCheckpoint(n.Text)
	switch {
	case err != nil:
		r.add(-1, "checkpoint signed at %s: %v", at, err)
	case origin != r.Origin:
		r.add(-1, "checkpoint signed at %s names origin %q, not this log's %q", at, origin, r.Origin)
	case size != c.Size || signedRoot != c.Root:
		r.add(-1, "checkpoint signed at %s: the stored size or root differ from the signed ones", at)
	case signedRoot != root:
		r.add(size-1, "the signed checkpoint of size %d does not match the tree recomputed from the entries: an entry before index %d was altered", size, size)
	default:
		r.Verified++
		r.Latest = c
	}
}

// checkExtraRows finds rows past the recorded size, which no append made.
func checkExtraRows(ctx context.Context, q db.Queryer, r *LogReport) error {
	var extra int64
	var err error
	if src := leavesOf(r.Kind); src != nil {
		extra, err = src.Extra(ctx, q, r.LogID, r.Size)
	} else {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM log_entries e JOIN logs l ON l.id = e.log_id
		WHERE e.log_id = ? AND e.idx >= l.size`, r.LogID).Scan(&extra)
	}
	if err != nil {
		return err
	}
	if extra > 0 {
		r.add(-1, "%d entries lie beyond the recorded log size %d: they were inserted behind aims' back", extra, r.Size)
	}
	return nil
}

// treeCheck rebuilds a log's tree entry by entry, keeping only the right
// edge (one hash per level) and comparing every hash aims stored.
type treeCheck struct {
	report   *LogReport
	frontier []Hash // subtree roots, largest first
	n        int64  // entries folded in
	intact   bool   // false once an entry is missing and the tree cannot be rebuilt
	started  bool
}

func (v *treeCheck) root() Hash {
	if len(v.frontier) == 0 {
		return emptyRoot
	}
	h := v.frontier[len(v.frontier)-1]
	for i := len(v.frontier) - 2; i >= 0; i-- {
		h = tlog.NodeHash(v.frontier[i], h)
	}
	return h
}

// add folds leaf n into the tree and returns the stored hashes it completes,
// in the order aims stores them.
func (v *treeCheck) add(leaf Hash) []Hash {
	out := []Hash{leaf}
	h := leaf
	for level := 0; (v.n>>level)&1 == 1; level++ {
		h = tlog.NodeHash(v.frontier[len(v.frontier)-1], h)
		v.frontier = v.frontier[:len(v.frontier)-1]
		out = append(out, h)
	}
	v.frontier = append(v.frontier, h)
	v.n++
	return out
}

type entryRow struct {
	idx         int64
	payloadHash []byte
	payload     []byte
	hasPayload  bool
	erased      bool
	problem     string
}

// batch checks entries [from, to) and calls atSize after each entry with the
// tree's size and a way to compute its root, which costs a hash per level.
func (v *treeCheck) batch(ctx context.Context, q db.Queryer, logID string, from, to int64, atSize func(int64, func() Hash)) error {
	if !v.started {
		v.started, v.intact = true, true
	}
	r := v.report
	src := leavesOf(r.Kind)
	var entries []entryRow
	var err error
	if src != nil {
		entries, err = sparseEntries(ctx, q, src, logID, from, to)
	} else {
		entries, err = readEntries(ctx, q, logID, from, to)
	}
	if err != nil {
		return err
	}
	stored, err := readStoredHashes(ctx, q, logID, tlog.StoredHashIndex(0, from), tlog.StoredHashCount(to))
	if err != nil {
		return err
	}
	var index map[int64]auditRow
	if r.Kind == KindAudit {
		if index, err = readAuditIndex(ctx, q, r.OrgID, from, to); err != nil {
			return err
		}
	}
	want := from
	for _, e := range entries {
		if e.idx != want {
			r.add(want, "missing: entries %d to %d were removed", want, e.idx-1)
			v.intact = false
			want = e.idx
		}
		want++
		r.Entries++
		var ph Hash
		if len(e.payloadHash) != len(ph) {
			r.add(e.idx, "recorded payload hash has %d bytes", len(e.payloadHash))
			v.intact = false
			continue
		}
		copy(ph[:], e.payloadHash)
		switch {
		case !e.hasPayload:
			r.add(e.idx, "its payload row is missing")
		case e.erased:
			r.Erased++
		case sha256.Sum256(e.payload) != ph:
			r.add(e.idx, "payload was altered: its SHA-256 does not match the hash the tree commits to")
		case r.Kind == KindAudit:
			checkAuditIndex(r, e, index)
		case e.problem != "":
			r.add(e.idx, "%s", e.problem)
		}
		if !v.intact {
			continue
		}
		hashes := v.add(tlog.RecordHash(ph[:]))
		first := tlog.StoredHashIndex(0, e.idx)
		for i, h := range hashes {
			got, ok := stored[first+int64(i)]
			level, _ := tlog.SplitStoredHashIndex(first + int64(i))
			if src != nil && !sparseKept(level) {
				continue // recomputed from the entries, never stored
			}
			switch {
			case !ok:
				r.add(e.idx, "stored tree hash at level %d is missing", level)
			case got != h:
				if level == 0 {
					r.add(e.idx, "stored leaf hash differs from the hash of the recorded payload hash: the entry was altered")
				} else {
					r.add(e.idx, "stored tree hash at level %d differs from the one recomputed from the entries", level)
				}
			}
		}
		atSize(v.n, v.root)
	}
	if want < to {
		r.add(want, "missing: entries %d to %d were removed", want, to-1)
		v.intact = false
	}
	return nil
}

func readEntries(ctx context.Context, q db.Queryer, logID string, from, to int64) ([]entryRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.idx, e.payload_hash, p.idx IS NOT NULL, p.payload, p.erased_at IS NOT NULL
		FROM log_entries e LEFT JOIN log_payloads p ON p.log_id = e.log_id AND p.idx = e.idx
		WHERE e.log_id = ? AND e.idx >= ? AND e.idx < ? ORDER BY e.idx`, logID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]entryRow, 0, to-from)
	for rows.Next() {
		var e entryRow
		if err := rows.Scan(&e.idx, &e.payloadHash, &e.hasPayload, &e.payload, &e.erased); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// sparseEntries reads a sparse log's entries through its Leaves.
func sparseEntries(ctx context.Context, q db.Queryer, src Leaves, logID string, from, to int64) ([]entryRow, error) {
	es, err := src.Entries(ctx, q, logID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]entryRow, len(es))
	for i, e := range es {
		out[i] = entryRow{idx: e.Index, payloadHash: append([]byte(nil), e.PayloadHash[:]...), payload: e.Payload,
			hasPayload: e.Payload != nil || e.ErasedAt != nil, erased: e.ErasedAt != nil, problem: e.Problem}
	}
	return out, nil
}

func readStoredHashes(ctx context.Context, q db.Queryer, logID string, from, to int64) (map[int64]Hash, error) {
	rows, err := q.QueryContext(ctx, `SELECT hidx, hash FROM log_hashes WHERE log_id = ? AND hidx >= ? AND hidx < ?`,
		logID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]Hash, to-from)
	for rows.Next() {
		var i int64
		var b []byte
		if err := rows.Scan(&i, &b); err != nil {
			return nil, err
		}
		var h Hash
		copy(h[:], b)
		if len(b) != len(h) {
			h[0] ^= 0xff // a wrong length never matches
		}
		out[i] = h
	}
	return out, rows.Err()
}

type auditRow struct {
	at                              time.Time
	actorID, actorLabel, action     string
	objectType, objectID, objectRef string
}

func readAuditIndex(ctx context.Context, q db.Queryer, org string, from, to int64) (map[int64]auditRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT idx, at, actor_id, actor_label, action, object_type, object_id, object_ref
		FROM audit_events WHERE org_id = ? AND idx >= ? AND idx < ?`, org, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]auditRow, to-from)
	for rows.Next() {
		var i int64
		var a auditRow
		if err := rows.Scan(&i, &a.at, &a.actorID, &a.actorLabel, &a.action, &a.objectType, &a.objectID, &a.objectRef); err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, rows.Err()
}

// checkAuditIndex checks that an audit entry decodes and that its index row,
// which history pages search, says the same as the signed payload.
func checkAuditIndex(r *LogReport, e entryRow, index map[int64]auditRow) {
	ev, err := decodeHeader(e.payload)
	if err != nil {
		r.add(e.idx, "payload is not a valid audit event: %v", err)
		return
	}
	if ev.Org != r.OrgID {
		r.add(e.idx, "audit event names organisation %s, not the log's %s", ev.Org, r.OrgID)
	}
	a, ok := index[e.idx]
	if !ok {
		r.add(e.idx, "its audit index row is missing")
		return
	}
	want := auditRow{at: ev.Time, actorID: ev.Actor.ID, actorLabel: ev.Actor.Label, action: ev.Action,
		objectType: ev.Object.Type, objectID: ev.Object.ID, objectRef: ev.Object.Ref}
	if !a.at.Equal(want.at) || a.actorID != want.actorID || a.actorLabel != want.actorLabel || a.action != want.action ||
		a.objectType != want.objectType || a.objectID != want.objectID || a.objectRef != want.objectRef {
		r.add(e.idx, "its audit index row differs from the signed event (%s %s %s)", ev.Action, ev.Object.Type, ev.Object.Ref)
	}
}

// eventHeader is an event without its changes, which verification reads
// for every entry and so decodes alone.
type eventHeader struct {
	V      int         `json:"v"`
	Org    string      `json:"org"`
	Time   string      `json:"time"`
	Actor  EventActor  `json:"actor"`
	Action string      `json:"action"`
	Object EventObject `json:"object"`
}

// decodeHeader reads what the audit index repeats of an event.
func decodeHeader(b []byte) (*Event, error) {
	var h eventHeader
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, err
	}
	if h.V != EventVersion {
		return nil, fmt.Errorf("unsupported audit event version %d", h.V)
	}
	t, err := time.Parse(eventTimeFormat, h.Time)
	if err != nil {
		return nil, fmt.Errorf("malformed time: %w", err)
	}
	return &Event{Org: h.Org, Time: t, Actor: h.Actor, Action: h.Action, Object: h.Object}, nil
}
