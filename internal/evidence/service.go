package evidence

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"strconv"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// auditRecord is what the audit log records of evidence: its fields,
// the file's hash, name, size and type but never its content.
type auditRecord struct {
	Ref         string   `json:"ref"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	URL         string   `json:"url"`
	Note        string   `json:"note"`
	FileSHA256  string   `json:"file_sha256"`
	FileName    string   `json:"file_name"`
	FileSize    int64    `json:"file_size,omitempty"`
	ContentType string   `json:"content_type"`
	ValidFrom   string   `json:"valid_from"`
	ValidUntil  string   `json:"valid_until"`
	Links       []string `json:"links"`
	Status      string   `json:"status"`
}

func auditOf(it *Evidence) auditRecord {
	return auditRecord{Ref: it.Ref, Kind: it.Kind, Title: it.Title, Description: it.Description, URL: it.URL,
		Note: it.Note, FileSHA256: it.FileSHA256, FileName: it.FileName, FileSize: it.FileSize,
		ContentType: it.ContentType, ValidFrom: it.ValidFrom, ValidUntil: it.ValidUntil,
		Links: linkStrings(it.Links), Status: it.Status}
}

// sniffLen is how much of a file the type check reads, as http.DetectContentType does.
const sniffLen = 512

// Add records new evidence in the actor's organisation. A file is checked
// and stored before the transaction that records the evidence and its
// audit event; every problem with the request, the file included, is
// reported at once and then nothing is kept.
func (s *Service) Add(ctx context.Context, actor *aims.Actor, req AddRequest) (*Evidence, error) {
	return s.AddThen(ctx, actor, req, nil)
}

// AddThen adds evidence as Add does and, when then is not nil, calls it in
// the same transaction with the new evidence, so that what the evidence
// supports is stored with it or not at all. An error of then is returned
// as it is.
func (s *Service) AddThen(ctx context.Context, actor *aims.Actor, req AddRequest, then func(ctx context.Context, tx *db.Tx, it *Evidence) error) (*Evidence, error) {
	if err := identity.Authorize(actor, identity.ActEvidenceAdd); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden, "evidence is added by a person, with a session or an API token")
	}
	it := &Evidence{Kind: req.Kind, Title: req.Title, Description: req.Description, URL: req.URL, Note: req.Note,
		ValidFrom: req.ValidFrom, ValidUntil: req.ValidUntil, Status: StatusActive, AddedBy: actor.UserID}
	var p aims.Problems
	it.normaliseContent(&p)
	it.normalise(&p)

	st, tooLarge, err := s.stageFile(it, req, &p)
	if err != nil {
		return nil, fmt.Errorf("cannot add evidence: %w", err)
	}
	// From here on a staged file is either placed or removed.
	placed := false
	defer func() {
		if !placed {
			s.store.discard(st)
		}
	}()
	links, err := s.resolveLinks(ctx, actor.OrgID, req.Links, &p)
	if err != nil {
		return nil, fmt.Errorf("cannot add evidence: %w", err)
	}
	it.Links = links
	if err := p.Err(); err != nil {
		if tooLarge {
			err.(*aims.Error).Err = ErrFileTooLarge
		}
		return nil, err
	}
	if st != nil {
		// The file is put in place before the transaction. Should the
		// transaction fail, the file stays behind unreferenced; that is
		// harmless, since its name is its content's hash: the same upload
		// again finds it in place, and nothing else can ever take its name.
		if err := s.store.place(st); err != nil {
			return nil, fmt.Errorf("cannot add evidence: %w", aims.Internal(err))
		}
		placed = true
	}
	var thenErr error
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		it.ID, it.Ref, it.Version, it.CreatedAt, it.UpdatedAt = aims.NewID(), ref, 1, now, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence (id, org_id, ref, kind, title, description, url, note,
			file_sha256, file_name, file_size, content_type, valid_from, valid_until, added_by, status, search_text,
			version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.ID, actor.OrgID, it.Ref, it.Kind, it.Title, it.Description, it.URL, it.Note,
			it.FileSHA256, it.FileName, it.FileSize, it.ContentType, it.ValidFrom, it.ValidUntil, it.AddedBy,
			it.Status, it.searchText(), it.Version, now, now); err != nil {
			return err
		}
		if err := insertLinks(ctx, tx, actor.OrgID, it.ID, it.Links); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, auditOf(it))
		if err != nil {
			return err
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionAdd, tlog.EventObject{Type: ObjectType, ID: it.ID, Ref: it.Ref}, ch); err != nil {
			return err
		}
		if then != nil {
			thenErr = then(ctx, tx, it)
		}
		return thenErr
	})
	if thenErr != nil {
		return nil, thenErr
	}
	if err != nil {
		return nil, fmt.Errorf("cannot add evidence: %w", err)
	}
	return s.get(ctx, s.db, actor.OrgID, it.ID)
}

// stageFile checks the file of a request and writes it to a temporary file,
// recording its hash, name, size and type on the item. Problems with the
// file are recorded; tooLarge says the file was over the limit.
func (s *Service) stageFile(it *Evidence, req AddRequest, p *aims.Problems) (st *staged, tooLarge bool, err error) {
	if !allowed(Kinds, it.Kind) {
		return nil, false, nil // the kind is reported; the file may or may not belong
	}
	if it.Kind != KindFile {
		if req.File != nil {
			p.Add("file", "is only for evidence of kind file")
		}
		return nil, false, nil
	}
	if req.File == nil {
		p.Add("file", "is required for evidence of kind file")
		return nil, false, nil
	}
	it.FileName = cleanFileName(req.FileName)
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(req.File, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, false, err
	}
	head = head[:n]
	if it.FileName == "" {
		p.Add("file", "needs a file name")
		return nil, false, nil
	}
	ct, problem := checkType(it.FileName, head)
	if problem != "" {
		p.Add("file", "%s", problem)
		return nil, false, nil
	}
	st, err = s.store.stage(io.MultiReader(bytes.NewReader(head), req.File))
	if errors.Is(err, ErrFileTooLarge) {
		p.Add("file", "is larger than the limit of %s", sizeText(s.maxBytes))
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	it.FileSHA256, it.FileSize, it.ContentType = st.sha, st.size, ct
	return st, false, nil
}

// sizeText words a number of bytes for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d bytes)", n>>10, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

func insertLinks(ctx context.Context, tx *db.Tx, orgID, id string, links []EvidenceLink) error {
	for _, l := range links {
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_links (org_id, evidence_id, target_type, target_id) VALUES (?, ?, ?, ?)`,
			orgID, id, l.Type, l.ID); err != nil {
			return err
		}
	}
	return nil
}

// Get returns evidence of the actor's organisation by id or reference.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Evidence, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor.OrgID, idOrRef)
}

// Update changes the title, description, validity dates and links the
// request names, if the evidence has not changed since the version the
// request is based on. The evidence itself, its file, URL or note, never
// changes.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req EvidenceUpdateRequest) (*Evidence, error) {
	if err := identity.Authorize(actor, identity.ActEvidenceAdd); err != nil {
		return nil, err
	}
	var p aims.Problems
	var links []EvidenceLink
	if req.Links != nil {
		// Targets are looked up before the transaction, which they do not join.
		var err error
		if links, err = s.resolveLinks(ctx, actor.OrgID, *req.Links, &p); err != nil {
			return nil, fmt.Errorf("cannot update evidence %s: %w", idOrRef, err)
		}
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Version, req.Version)
		}
		if before.Status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", before.Ref)
		}
		after := *before
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&after.Title, req.Title)
		set(&after.Description, req.Description)
		set(&after.ValidFrom, req.ValidFrom)
		set(&after.ValidUntil, req.ValidUntil)
		if req.Links != nil {
			after.Links = links
		}
		after.normalise(&p)
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(auditOf(before), auditOf(&after))
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE evidence SET title = ?, description = ?, valid_from = ?, valid_until = ?,
			search_text = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Title, after.Description, after.ValidFrom, after.ValidUntil, after.searchText(), s.clock(),
			before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Version+1, req.Version)
		}
		if req.Links != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM evidence_links WHERE evidence_id = ? AND org_id = ?`, before.ID, actor.OrgID); err != nil {
				return err
			}
			if err := insertLinks(ctx, tx, actor.OrgID, before.ID, after.Links); err != nil {
				return err
			}
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate,
			tlog.EventObject{Type: ObjectType, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update evidence %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// Archive takes evidence out of use: it no longer counts as current, and
// its record, file and history stay. Archiving archived evidence changes nothing.
func (s *Service) Archive(ctx context.Context, actor *aims.Actor, idOrRef string) (*Evidence, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusArchived)
}

// Restore brings archived evidence back into use.
func (s *Service) Restore(ctx context.Context, actor *aims.Actor, idOrRef string) (*Evidence, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Evidence, error) {
	if err := identity.Authorize(actor, identity.ActEvidenceRetire); err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionArchive, StatusActive: ActionRestore}[status]
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if before.Status == status {
			return nil
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE evidence SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, status, archivedAt, now, before.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action,
			tlog.EventObject{Type: ObjectType, ID: before.ID, Ref: before.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(before.Status), After: mustJSON(status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s evidence %s: %w", action[len("evidence."):], idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// History returns the audit events about evidence, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	it, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectType, ObjectID: it.ID, Limit: 500})
}

// Open returns a file of the actor's organisation for download, positioned
// at its start, after checking that its bytes still hash to the SHA-256
// recorded when it was added. A file that is missing or changed is refused
// with an internal error marked ErrFileDamaged, and logged. The caller
// closes the file.
func (s *Service) Open(ctx context.Context, actor *aims.Actor, idOrRef string) (*Evidence, io.ReadSeekCloser, error) {
	it, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, nil, err
	}
	if it.Kind != KindFile {
		return nil, nil, aims.Errorf(aims.CodeNotFound, "%s is a %s and has no file", it.Ref, it.Kind)
	}
	f, err := s.store.open(it.FileSHA256)
	if errors.Is(err, ErrFileDamaged) {
		slog.Error("evidence file damaged: refusing to serve it", "org", actor.OrgID, "ref", it.Ref, "sha256", it.FileSHA256, "err", err)
		return nil, nil, &aims.Error{Code: aims.CodeInternal, Message: fmt.Sprintf(
			"the stored file of %s is damaged: it no longer matches the SHA-256 recorded when it was added; restore it from a backup", it.Ref), Err: err}
	}
	if err != nil {
		return nil, nil, aims.Internal(fmt.Errorf("cannot open the file of %s: %w", it.Ref, err))
	}
	return it, f, nil
}

// ContentDisposition is the header that makes a browser save the file
// under its name rather than show it.
func (it *Evidence) ContentDisposition() string {
	name := it.FileName
	if name == "" {
		name = it.Ref
	}
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return `attachment; filename="` + it.Ref + `"`
}

// ReprDigest is the file's SHA-256 as an RFC 9530 Repr-Digest header value.
func (it *Evidence) ReprDigest() string {
	b, err := hex.DecodeString(it.FileSHA256)
	if err != nil {
		return ""
	}
	return "sha-256=:" + base64.StdEncoding.EncodeToString(b) + ":"
}

// ContentLength is the file's size as a header value.
func (it *Evidence) ContentLength() string { return strconv.FormatInt(it.FileSize, 10) }

// mustJSON encodes values that always encode: strings.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
