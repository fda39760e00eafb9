package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/crypto/hkdf"
)

// MinKeyLen is the shortest secret key NewProtector accepts, in bytes.
const MinKeyLen = 16

// tokenVersion is the first byte of every encrypted token, so that the format or
// the key derivation can change later without ambiguity.
const tokenVersion byte = 1

// HKDF "info" labels: each purpose gets its own independent 32-byte subkey, so
// the hashing key never doubles as the encryption key.
const (
	hashKeyInfo    = "gongzhi/pii/hash-id/v1"
	encryptKeyInfo = "gongzhi/pii/encrypt/aes-256-gcm/v1"
	checkKeyInfo   = "gongzhi/pii/key-check/v1"
)

// ErrKeyTooShort reports a secret key shorter than MinKeyLen bytes.
var ErrKeyTooShort = errors.New("pii: secret key too short")

// ErrBadToken reports a ciphertext that is malformed, truncated, of an unknown
// version, or was not produced under this Protector's key.
var ErrBadToken = errors.New("pii: invalid encrypted token")

// Protector hashes and encrypts personal data under subkeys derived from one
// secret key. It holds no mutable state and is safe for concurrent use.
//
// Key rotation. Hashes cannot be recomputed under a new key, since the clear
// numbers are never stored; instead a rotation hashes every stored hash once more
// under the new key (Rehash), and the new Protector applies the earlier keys'
// hashing first: HashID(x) = H_new(H_k…(H_first(x))). The earlier hashing keys
// (innerHashKeys, oldest first) are kept in the database sealed under the current
// key (SealHashKeys/OpenHashKeys), so the old secret alone opens nothing that a
// rotation rewrote. Ciphertexts are simply re-encrypted under the new key.
type Protector struct {
	hashKey       []byte
	innerHashKeys [][]byte
	checkKey      []byte
	aead          cipher.AEAD
}

// NewProtector derives the hashing and encryption subkeys from secretKey with
// HKDF-SHA256 (one "info" label per purpose). The key must be at least
// MinKeyLen bytes; the caller keeps it secret and stable, since changing it
// changes every hash and makes old ciphertexts unreadable.
//
// innerHashKeys are the hashing keys of earlier secret keys, oldest first (none
// before the first rotation): see Successor and OpenHashKeys.
func NewProtector(secretKey []byte, innerHashKeys ...[]byte) (*Protector, error) {
	if len(secretKey) < MinKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrKeyTooShort, len(secretKey), MinKeyLen)
	}
	hashKey, err := deriveKey(secretKey, hashKeyInfo)
	if err != nil {
		return nil, err
	}
	encKey, err := deriveKey(secretKey, encryptKeyInfo)
	if err != nil {
		return nil, err
	}
	checkKey, err := deriveKey(secretKey, checkKeyInfo)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("pii: aes cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: gcm mode: %w", err)
	}
	for i, k := range innerHashKeys {
		if len(k) != len(hashKey) {
			return nil, fmt.Errorf("pii: earlier hashing key %d: %d bytes, want %d", i, len(k), len(hashKey))
		}
	}
	return &Protector{hashKey: hashKey, innerHashKeys: innerHashKeys, checkKey: checkKey, aead: aead}, nil
}

// Successor builds the Protector of newSecretKey that continues this one: its
// hashing applies this Protector's keys first, so Rehash of a hash stored under
// this Protector equals the successor's HashID of the same clear value.
func (p *Protector) Successor(newSecretKey []byte) (*Protector, error) {
	inner := make([][]byte, 0, len(p.innerHashKeys)+1)
	inner = append(inner, p.innerHashKeys...)
	inner = append(inner, p.hashKey)
	return NewProtector(newSecretKey, inner...)
}

// Subkey derives from the current secret key an independent 32-byte key for
// purpose (HKDF-SHA256 over the hashing key, one label per purpose), for data that
// other packages key themselves. It changes with a rotation and has no history:
// what is keyed with it must be disposable or re-keyed by the rotation.
func (p *Protector) Subkey(purpose string) ([]byte, error) {
	return deriveKey(p.hashKey, "gongzhi/subkey/"+purpose)
}

// Fingerprint identifies the secret key (an HKDF-derived check value, 128 bits in
// hex) without revealing it: the database records it so that a server started
// with another key refuses to run instead of writing data no one can read.
func (p *Protector) Fingerprint() string { return hex.EncodeToString(p.checkKey[:16]) }

// Rehash hashes a hash stored under the predecessor once more under this key
// (see Successor). The empty string stays empty.
func (p *Protector) Rehash(stored string) string {
	if stored == "" {
		return ""
	}
	return hmacHex(p.hashKey, []byte(stored))
}

// SealHashKeys encrypts this Protector's earlier hashing keys for storage; ""
// when there are none.
func (p *Protector) SealHashKeys() (string, error) {
	if len(p.innerHashKeys) == 0 {
		return "", nil
	}
	parts := make([]string, len(p.innerHashKeys))
	for i, k := range p.innerHashKeys {
		parts[i] = hex.EncodeToString(k)
	}
	return p.Encrypt("hash-keys/v1|" + strings.Join(parts, ","))
}

// OpenHashKeys decrypts what SealHashKeys stored, under this Protector's key.
func (p *Protector) OpenHashKeys(sealed string) ([][]byte, error) {
	if sealed == "" {
		return nil, nil
	}
	plain, err := p.Decrypt(sealed)
	if err != nil {
		return nil, err
	}
	body, ok := strings.CutPrefix(plain, "hash-keys/v1|")
	if !ok {
		return nil, fmt.Errorf("%w: not a sealed key list", ErrBadToken)
	}
	var keys [][]byte
	for _, h := range strings.Split(body, ",") {
		k, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadToken, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func hmacHex(key, msg []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(msg)
	return hex.EncodeToString(mac.Sum(nil))
}

func deriveKey(secret []byte, info string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte(info)), key); err != nil {
		return nil, fmt.Errorf("pii: derive %s key: %w", info, err)
	}
	return key, nil
}

// NormalizeID is the canonical form of an ID number or credit code for storage
// and matching: all white space removed (numbers are often written in groups) and
// letters upper-cased (a resident ID's check character "x" becomes "X").
func NormalizeID(id string) string {
	if strings.IndexFunc(id, unicode.IsSpace) >= 0 {
		id = strings.Join(strings.Fields(id), "")
	}
	return strings.ToUpper(id)
}

// HashID returns the keyed hash (HMAC-SHA256, lower-case hex) of the normalised
// ID number, used to recognise the same owner across units and roster imports
// without storing the number in clear.
//
// After key rotations the earlier keys are applied first (see Protector).
func (p *Protector) HashID(idNumber string) string {
	msg := []byte(NormalizeID(idNumber))
	for _, k := range p.innerHashKeys {
		msg = []byte(hmacHex(k, msg))
	}
	return hmacHex(p.hashKey, msg)
}

// Encrypt seals plain with AES-256-GCM under a fresh random nonce and returns
// the standard base64 encoding of version byte, nonce and ciphertext. The empty
// string stays empty, so optional fields need no special casing.
func (p *Protector) Encrypt(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	nonceSize := p.aead.NonceSize()
	buf := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+p.aead.Overhead())
	buf[0] = tokenVersion
	if _, err := rand.Read(buf[1:]); err != nil {
		return "", fmt.Errorf("pii: nonce: %w", err)
	}
	sealed := p.aead.Seal(buf, buf[1:], []byte(plain), buf[:1])
	return base64.StdEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a token produced by Encrypt under the same secret key. The empty
// string decrypts to the empty string; anything else that is not a valid token
// for this key yields an error wrapping ErrBadToken.
func (p *Protector) Decrypt(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	nonceSize := p.aead.NonceSize()
	if len(raw) < 1+nonceSize+p.aead.Overhead() {
		return "", fmt.Errorf("%w: %d bytes is too short", ErrBadToken, len(raw))
	}
	if raw[0] != tokenVersion {
		return "", fmt.Errorf("%w: unknown version %d", ErrBadToken, raw[0])
	}
	plain, err := p.aead.Open(nil, raw[1:1+nonceSize], raw[1+nonceSize:], raw[:1])
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	return string(plain), nil
}
