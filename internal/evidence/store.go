package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// store keeps evidence files under dir, each at <dir>/<first two hex
// digits>/<sha256>. A file's name is the hash of its content, so a stored
// file is never overwritten: an identical upload finds it in place and
// reuses it, and different content always gets a new name.
type store struct {
	dir      string
	maxBytes int64
}

// staged is an upload written to a temporary file and hashed, not yet in place.
type staged struct {
	tmp  string
	sha  string
	size int64
}

// tmpPattern names uploads in progress in the store's folder, on the same
// file system as their final place so that they can be moved there whole.
const tmpPattern = ".upload-*"

// stage copies r into a temporary file in the store's folder while hashing
// and counting it, and makes it durable. A file over the limit is removed
// at once and reported with ErrFileTooLarge.
func (s *store) stage(r io.Reader) (st *staged, err error) {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create the evidence folder: %w", err)
	}
	f, err := os.CreateTemp(s.dir, tmpPattern)
	if err != nil {
		return nil, fmt.Errorf("cannot store the upload: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	// One byte more than the limit tells a file at the limit from one over it.
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, s.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot store the upload: %w", err)
	}
	if n > s.maxBytes {
		return nil, ErrFileTooLarge
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("cannot store the upload: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("cannot store the upload: %w", err)
	}
	return &staged{tmp: f.Name(), sha: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

// discard removes a staged file that will not be kept.
func (s *store) discard(st *staged) {
	if st != nil {
		os.Remove(st.tmp)
	}
}

// place puts a staged file at the name of its hash, unless a file of that
// name, and so of that content, is already there: it never overwrites.
func (s *store) place(st *staged) error {
	final := s.path(st.sha)
	defer os.Remove(st.tmp)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fmt.Errorf("cannot create the evidence folder: %w", err)
	}
	// Stored files are read-only: nothing in aims writes to them again.
	if err := os.Chmod(st.tmp, 0o440); err != nil {
		return fmt.Errorf("cannot store the upload: %w", err)
	}
	// A hard link creates the name only if it does not exist, atomically,
	// so that two identical uploads at once cannot replace each other's file.
	err := os.Link(st.tmp, final)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrExist):
		return nil // the same content is stored already
	default:
		// A file system without hard links: move the file into place if the
		// name is still free. Only an identical upload at the same moment
		// could take the name in between, and it holds the same bytes.
		if _, serr := os.Lstat(final); serr == nil {
			return nil
		}
		if err := os.Rename(st.tmp, final); err != nil {
			return fmt.Errorf("cannot store the upload: %w", err)
		}
	}
	syncDir(filepath.Dir(final))
	return nil
}

// syncDir makes a new name in a folder durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// path is where the file with the hash is kept.
func (s *store) path(sha string) string {
	return filepath.Join(s.dir, sha[:2], sha)
}

// open opens a stored file after checking that its bytes still hash to
// sha; a missing or changed file is reported with ErrFileDamaged. The
// returned file is positioned at its start.
func (s *store) open(sha string) (*os.File, error) {
	if !validSHA(sha) {
		return nil, fmt.Errorf("%w: %q is not a SHA-256", ErrFileDamaged, sha)
	}
	f, err := os.Open(s.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing", ErrFileDamaged, s.path(sha))
	}
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		f.Close()
		return nil, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		f.Close()
		return nil, fmt.Errorf("%w: %s hashes to %s", ErrFileDamaged, s.path(sha), got)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// validSHA reports whether s is a SHA-256 in lower-case hex.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// staleUpload is how old an upload in progress must be before it is taken
// for the leftover of a crash.
const staleUpload = 24 * time.Hour

// removeStale deletes uploads in progress older than staleUpload, which a
// crash between staging and placing a file leaves behind; it returns how
// many it removed.
func (s *store) removeStale(now time.Time) (int, error) {
	names, err := filepath.Glob(filepath.Join(s.dir, tmpPattern))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		fi, err := os.Stat(name)
		if err != nil || now.Sub(fi.ModTime()) < staleUpload {
			continue
		}
		if err := os.Remove(name); err == nil {
			n++
		}
	}
	return n, nil
}
