package tlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Key is a checkpoint signing key: the signer and the verifier key that
// anyone can use to check its signatures.
type Key struct {
	Signer note.Signer
	// VerifierKey is the public key in note format: name+hash+base64.
	VerifierKey string
}

// LoadOrCreateKey reads the signing key at path, or creates a new Ed25519
// key there (mode 0600) when the file does not exist.
func LoadOrCreateKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read log signing key: %w", err)
	}
	return ParseKey(strings.TrimSpace(string(b)))
}

// LoadKey reads an existing signing key at path.
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read log signing key: %w", err)
	}
	return ParseKey(strings.TrimSpace(string(b)))
}

func createKey(path string) (*Key, error) {
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return nil, err
	}
	skey, _, err := note.GenerateKey(rand.Reader, "aims-"+hex.EncodeToString(suffix[:]))
	if err != nil {
		return nil, fmt.Errorf("cannot generate log signing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create directory for log signing key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadKey(path) // another process created it first
	}
	if err != nil {
		return nil, fmt.Errorf("cannot create log signing key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot write log signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("cannot write log signing key: %w", err)
	}
	return ParseKey(skey)
}

// ParseKey reads a note private key (PRIVATE+KEY+name+hash+data) and derives
// its verifier key.
func ParseKey(skey string) (*Key, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("invalid log signing key: %w", err)
	}
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, errors.New("invalid log signing key: want PRIVATE+KEY+name+hash+key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("invalid log signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, err
	}
	return &Key{Signer: signer, VerifierKey: vkey}, nil
}

// Verifiers returns note verifiers for the given verifier keys.
func Verifiers(vkeys ...string) (note.Verifiers, error) {
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("invalid verifier key %q: %w", k, err)
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}
