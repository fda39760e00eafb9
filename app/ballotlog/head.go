package ballotlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Head kinds: a checkpoint signed while the vote is open, and the closing head.
const (
	HeadCheckpoint = "checkpoint"
	HeadClose      = "close"
)

// headMagic is the first line of every signed head message; headMagicResults that
// of a closing head that also signs the vote's recount spec and published results.
const (
	headMagic        = "gongzhi-ballot-log/1"
	headMagicResults = "gongzhi-ballot-log/2"
)

// Head is a signed tree head of one vote's log. A closing head signed since
// migration 00034 also carries SpecSHA256 (SHA-256 of VoteSpec.CanonicalBytes) and
// ResultsSHA256 (SHA-256 of the published result document, byte for byte), so the
// one signature binds the tree, the counting parameters and the published figures.
type Head struct {
	VoteID        int64     `json:"vote_id"`
	Kind          string    `json:"kind"`
	Size          uint64    `json:"size"`
	RootHash      string    `json:"root_hash"` // hex SHA-256
	SignedAt      time.Time `json:"signed_at"`
	KeyID         string    `json:"key_id"`
	Signature     string    `json:"signature"`                // base64 Ed25519 over Message()
	SpecSHA256    string    `json:"spec_sha256,omitempty"`    // closing head: hex SHA-256 of the recount spec's canonical bytes
	ResultsSHA256 string    `json:"results_sha256,omitempty"` // closing head: hex SHA-256 of the published result document
}

// SignsResults tells a head that binds a recount spec and published results.
func (h Head) SignsResults() bool { return h.SpecSHA256 != "" || h.ResultsSHA256 != "" }

// Message is what the signature covers: six lines, each ending in a newline
// (format gongzhi-ballot-log/1); a head that signs results has format
// gongzhi-ballot-log/2 and two more lines, spec= and results=.
func (h Head) Message() []byte {
	magic := headMagic
	if h.SignsResults() {
		magic = headMagicResults
	}
	msg := magic + "\nvote=" + strconv.FormatInt(h.VoteID, 10) + "\nkind=" + h.Kind +
		"\nsize=" + strconv.FormatUint(h.Size, 10) + "\nroot=" + h.RootHash + "\ntime=" + h.SignedAt.UTC().Format(TimeLayout) + "\n"
	if h.SignsResults() {
		msg += "spec=" + h.SpecSHA256 + "\nresults=" + h.ResultsSHA256 + "\n"
	}
	return []byte(msg)
}

// Verify checks the head's signature under pub.
func (h Head) Verify(pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(h.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("signature is not 64 bytes of base64")
	}
	if h.KeyID != KeyID(pub) {
		return fmt.Errorf("signed by key %s, not %s", h.KeyID, KeyID(pub))
	}
	if !ed25519.Verify(pub, h.Message(), sig) {
		return errors.New("signature does not verify")
	}
	return nil
}

// KeyID names a public key: the first 8 bytes of its SHA-256, hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Signer signs tree heads with the platform's Ed25519 key.
type Signer struct {
	key ed25519.PrivateKey
}

// NewSigner wraps a private key.
func NewSigner(key ed25519.PrivateKey) *Signer { return &Signer{key: key} }

// SignerFromSeed derives a signer from a 32-byte seed (tests and servers started
// without a key file derive it from their secret key).
func SignerFromSeed(seed []byte) *Signer {
	return &Signer{key: ed25519.NewKeyFromSeed(seed[:ed25519.SeedSize])}
}

// Public is the signer's public key.
func (s *Signer) Public() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// KeyID is the signer's key id.
func (s *Signer) KeyID() string { return KeyID(s.Public()) }

// PublicBase64 is the public key in standard base64, as published.
func (s *Signer) PublicBase64() string { return base64.StdEncoding.EncodeToString(s.Public()) }

// SignMessage signs msg with the platform key. The audit chain's signed heads use it
// (app/audit.Signer, adapted in main): each kind of message starts with its own
// domain string, so a signature of one kind never verifies as another.
func (s *Signer) SignMessage(msg []byte) []byte { return ed25519.Sign(s.key, msg) }

// Sign fills the head's key id and signature.
func (s *Signer) Sign(h Head) Head {
	h.SignedAt = h.SignedAt.UTC().Truncate(time.Microsecond)
	h.KeyID = s.KeyID()
	h.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, h.Message()))
	return h
}

// LoadOrCreateKey reads the Ed25519 seed kept in path (64 hex digits), generating
// and storing a new one (mode 0600, never overwriting) on first start, as the
// secret key is kept.
func LoadOrCreateKey(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("%s: not a 32-byte hex Ed25519 seed", path)
		}
		return SignerFromSeed(seed), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading the ballot log key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the ballot log key's directory: %w", err)
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("generating the ballot log key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("writing the ballot log key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(seed) + "\n"); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("writing the ballot log key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("writing the ballot log key: %w", err)
	}
	return SignerFromSeed(seed), nil
}

// ParsePublicKey reads a base64 Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not a base64 Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}
