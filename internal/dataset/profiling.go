package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/profile"
	"github.com/aims-dev/aims/internal/tlog"
)

// DefaultMaxUpload is the largest file accepted for profiling, 2 GiB; the
// profile is computed in one pass, so size costs time, not memory.
const DefaultMaxUpload int64 = 2 << 30

// ErrFileTooLarge marks an upload refused for being over the limit.
var ErrFileTooLarge = errors.New("the file is larger than the upload limit")

// MaxUpload is the largest file the service accepts for profiling.
func (s *Service) MaxUpload() int64 { return s.maxUpload }

// SetUploadLimits changes the largest file accepted for profiling (0 keeps
// DefaultMaxUpload) and the folder uploads wait in while they are profiled
// (empty is the system's temporary folder). Call it before serving.
func (s *Service) SetUploadLimits(maxBytes int64, tempDir string) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxUpload
	}
	s.maxUpload, s.tempDir = maxBytes, tempDir
}

// Upload is a file received for profiling: written to a temporary file and
// hashed as it arrived. The file itself is never kept.
type Upload struct {
	path   string
	name   string
	size   int64
	sha256 string
}

// FileName is the uploaded file's own name, without any folder.
func (u *Upload) FileName() string { return u.name }

// Size is the file's size in bytes.
func (u *Upload) Size() int64 { return u.size }

// SHA256 is the file's SHA-256 in hex.
func (u *Upload) SHA256() string { return u.sha256 }

// Remove deletes the temporary file; it may be called more than once.
func (u *Upload) Remove() {
	if u != nil && u.path != "" {
		os.Remove(u.path)
		u.path = ""
	}
}

// Receive streams a file to profile into a temporary file while hashing it,
// after checking that the actor may profile data sets. A file over the limit
// is refused with a problem of the field file marked ErrFileTooLarge, and
// nothing of it is kept. The caller removes the upload when done with it.
func (s *Service) Receive(ctx context.Context, actor *aims.Actor, r io.Reader, fileName string) (*Upload, error) {
	if err := identity.Authorize(actor, identity.ActDatasetEdit); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.tempDir, "aims-profile-*")
	if err != nil {
		return nil, aims.Internal(fmt.Errorf("cannot store the upload: %w", err))
	}
	u := &Upload{path: f.Name(), name: cleanFileName(fileName)}
	h := sha256.New()
	// One byte more than the limit tells a file at the limit from one over it.
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(readerWithContext{ctx, r}, s.maxUpload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		u.Remove()
		return nil, fmt.Errorf("cannot receive the file: %w", err)
	}
	var p aims.Problems
	switch {
	case n > s.maxUpload:
		u.Remove()
		p.Add("file", "is larger than the limit of %s", sizeText(s.maxUpload))
		e := p.Err().(*aims.Error)
		e.Err = ErrFileTooLarge
		return nil, e
	case n == 0:
		u.Remove()
		p.Add("file", "is empty")
		return nil, p.Err()
	}
	u.size, u.sha256 = n, hex.EncodeToString(h.Sum(nil))
	return u, nil
}

// readerWithContext stops reading an upload when its request is cancelled.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from the upload unless its request is over.
func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// cleanFileName keeps the last element of a file name, printable, at most 255 bytes.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimSpace(filepath.Base("/" + name))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "/" || name == "." || name == "" {
		return "upload"
	}
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// sizeText words a number of bytes for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB (%d bytes)", n>>30, n)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d bytes)", n>>10, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ProfileRequest profiles a received file as a version's file.
type ProfileRequest struct {
	Upload  *Upload
	Options ProfileOptions
}

// auditProfile is what the audit log records of a profile: the file's hash
// and the headline figures, never the data.
type auditProfile struct {
	FileName        string         `json:"file_name"`
	FileSize        int64          `json:"file_size"`
	SHA256          string         `json:"sha256"`
	Rows            int64          `json:"rows"`
	Columns         int            `json:"columns"`
	DuplicateRows   int64          `json:"duplicate_rows"`
	RowsWithMissing int64          `json:"rows_with_missing"`
	Options         ProfileOptions `json:"options"`
}

func auditOfProfile(p *StoredProfile) any {
	if p == nil {
		return nil
	}
	return auditProfile{FileName: p.FileName, FileSize: p.FileSize, SHA256: p.SHA256, Rows: p.Rows, Columns: p.Columns,
		DuplicateRows: p.DuplicateRows, RowsWithMissing: p.RowsWithMissing, Options: p.Options}
}

// Profile computes the data-quality profile of a received file and stores
// it on the version, with the file's name, size and SHA-256, the options
// used and who profiled it when, replacing any earlier profile; the audit
// event records the hash and the headline figures. The upload's temporary
// file is removed whatever the outcome.
func (s *Service) Profile(ctx context.Context, actor *aims.Actor, idOrKey string, req ProfileRequest) (*Version, error) {
	defer req.Upload.Remove()
	if err := identity.Authorize(actor, identity.ActDatasetEdit); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden, "a profile is uploaded by a person, with a session or an API token")
	}
	v, err := getVersion(ctx, s.db, actor.OrgID, idOrKey)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Version, error) {
		return nil, fmt.Errorf("cannot profile %s: %w", v.Key, err)
	}
	if err := s.checkActive(ctx, s.db, actor.OrgID, v); err != nil {
		return fail(err)
	}
	var p aims.Problems
	if req.Upload == nil || req.Upload.path == "" {
		p.Add("file", "is required: upload the version's file")
	}
	stored := &StoredProfile{Options: req.Options, ProfiledBy: actor.UserID}
	opts := stored.Options.normalise(&p)
	if err := p.Err(); err != nil {
		return fail(err)
	}
	if opts.Format == "" {
		opts.Format = profile.FormatOf(req.Upload.name)
	}
	res, err := profile.ProfileFile(req.Upload.path, opts)
	if err != nil {
		return fail(profileProblem(err))
	}
	if res.SHA256 != "" && res.SHA256 != req.Upload.sha256 {
		return fail(aims.Internal(fmt.Errorf("the upload changed while it was profiled: received %s, profiled %s", req.Upload.sha256, res.SHA256)))
	}
	res.File = req.Upload.name
	stored.ProfileSummary = ProfileSummary{FileName: req.Upload.name, FileSize: req.Upload.size, SHA256: req.Upload.sha256,
		Rows: res.Rows, Columns: res.ColumnCount, DuplicateRows: res.DuplicateRows, RowsWithMissing: res.RowsWithMissing}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := getVersion(ctx, tx, actor.OrgID, v.ID)
		if err != nil {
			return err
		}
		if err := s.checkActive(ctx, tx, actor.OrgID, before); err != nil {
			return err
		}
		stored.ProfiledAt = s.clock()
		result, err := json.Marshal(res)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dataset_versions SET profile = ?, profile_options = ?, profile_summary = ?,
			profile_file_name = ?, profile_file_size = ?, profile_sha256 = ?, profiled_at = ?, profiled_by = ?
			WHERE id = ? AND org_id = ?`, string(result), string(mustJSON(stored.Options)), string(mustJSON(summaryFigures(stored))),
			stored.FileName, stored.FileSize, stored.SHA256, stored.ProfiledAt, stored.ProfiledBy, v.ID, actor.OrgID); err != nil {
			return err
		}
		ch, err := tlog.Changes(auditOfProfile(before.Profile), auditOfProfile(stored))
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionProfile, tlog.EventObject{Type: ObjectVersion, ID: v.ID, Ref: v.Key}, ch)
	})
	if err != nil {
		return fail(err)
	}
	return s.version(ctx, s.db, actor.OrgID, v.ID)
}

// summaryFigures is the stored summary: the figures kept apart from the
// whole profile, so that lists and lineages need not read it.
func summaryFigures(p *StoredProfile) map[string]int64 {
	return map[string]int64{"rows": p.Rows, "columns": int64(p.Columns), "duplicate_rows": p.DuplicateRows,
		"rows_with_missing": p.RowsWithMissing}
}

// checkActive refuses changes to a version of an archived data set.
func (s *Service) checkActive(ctx context.Context, q db.Queryer, orgID string, v *Version) error {
	var status string
	if err := q.QueryRowContext(ctx, `SELECT status FROM datasets WHERE org_id = ? AND id = ?`, orgID, v.DatasetID).Scan(&status); err != nil {
		return err
	}
	if status == StatusArchived {
		return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before profiling its versions", v.DatasetRef)
	}
	return nil
}

// profileProblem turns a problem the profiler found in the file itself into
// a problem of the field file; problems with options keep their fields.
func profileProblem(err error) error {
	var ae *aims.Error
	if !errors.As(err, &ae) {
		return aims.Internal(err)
	}
	if ae.Code == aims.CodeInvalid && len(ae.Fields) == 0 {
		var p aims.Problems
		p.Add("file", "cannot be profiled: %s", ae.Message)
		return p.Err()
	}
	return ae // without the name of the temporary file, which means nothing to anyone
}
