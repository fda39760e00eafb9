// Package ballotlog keeps the per-vote append-only ballot log: every cast, paper or
// proxy entry and void of a vote is a leaf of a Merkle tree hashed as in RFC 6962
// (github.com/transparency-dev/merkle), appended in the same transaction as the
// ballot, the tree kept incrementally as a compact range; tree heads are signed
// with the platform's Ed25519 key; inclusion and consistency proofs are served from
// the stored leaves; bundles export a vote's log and results, and Verify checks a
// bundle offline (signatures, roots, a recount with app/rules, the PDF's hash).
// The format of leaves, heads and bundles is in docs/bundle.md.
package ballotlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// Leaf kinds: a ballot by its channel, or the void of an earlier ballot.
const (
	KindOnline = "online"
	KindPaper  = "paper"
	KindProxy  = "proxy"
	KindVoid   = "void"
)

// leafMagic is the first line of every leaf: the format and its version.
const leafMagic = "gongzhi-ballot-leaf/1"

// TimeLayout writes the instants of leaves and heads: UTC, microseconds.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Leaf is one entry of a vote's log. A ballot leaf carries its receipt, the voter's
// weight (area in 0.01 m² and headcount) and the canonical choices; a void leaf
// carries the voided ballot's receipt and weight and no choices. Nothing in a leaf
// names a person.
type Leaf struct {
	Seq       uint64    // dense from 0 per vote
	Kind      string    // KindOnline, KindPaper, KindProxy or KindVoid
	Receipt   string    // the ballot's receipt code (of the voided ballot for a void)
	Area      int64     // the voter's frozen area, 0.01 m²
	Headcount int       // 1: one voter
	Choices   string    // canonical choices JSON (one line); empty for a void
	Time      time.Time // cast, entry or void time

	// BallotID is the stored ballot the leaf is of (the voided one for a void); it
	// is kept beside the leaf to find it from a receipt, and is not part of its bytes.
	BallotID int64
}

// Bytes is the leaf's canonical encoding: seven lines after the format line, each
// "name=value", ending in a newline.
func (l Leaf) Bytes() []byte {
	var b bytes.Buffer
	b.Grow(160 + len(l.Choices))
	b.WriteString(leafMagic)
	b.WriteString("\nseq=")
	b.WriteString(strconv.FormatUint(l.Seq, 10))
	b.WriteString("\nkind=")
	b.WriteString(l.Kind)
	b.WriteString("\nreceipt=")
	b.WriteString(l.Receipt)
	b.WriteString("\narea=")
	b.WriteString(strconv.FormatInt(l.Area, 10))
	b.WriteString("\nheadcount=")
	b.WriteString(strconv.Itoa(l.Headcount))
	b.WriteString("\nchoices=")
	b.WriteString(l.Choices)
	b.WriteString("\ntime=")
	b.WriteString(l.Time.UTC().Format(TimeLayout))
	b.WriteByte('\n')
	return b.Bytes()
}

// Hash is the leaf's RFC 6962 leaf hash, SHA-256(0x00 || bytes).
func (l Leaf) Hash() []byte { return rfc6962.DefaultHasher.HashLeaf(l.Bytes()) }

// validKind tells a known leaf kind.
func validKind(k string) bool {
	return k == KindOnline || k == KindPaper || k == KindProxy || k == KindVoid
}

// ParseLeaf decodes canonical leaf bytes and refuses any other form: the bytes must
// be exactly what Bytes writes for the decoded leaf.
func ParseLeaf(raw []byte) (Leaf, error) {
	s := string(raw)
	if !strings.HasSuffix(s, "\n") {
		return Leaf{}, fmt.Errorf("leaf does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	names := []string{"seq", "kind", "receipt", "area", "headcount", "choices", "time"}
	if len(lines) != len(names)+1 || lines[0] != leafMagic {
		return Leaf{}, fmt.Errorf("leaf is not in format %s", leafMagic)
	}
	vals := make([]string, len(names))
	for i, n := range names {
		v, ok := strings.CutPrefix(lines[i+1], n+"=")
		if !ok {
			return Leaf{}, fmt.Errorf("leaf line %d is not %s=", i+2, n)
		}
		vals[i] = v
	}
	var l Leaf
	var err error
	if l.Seq, err = strconv.ParseUint(vals[0], 10, 64); err != nil {
		return Leaf{}, fmt.Errorf("leaf seq: %w", err)
	}
	l.Kind, l.Receipt = vals[1], vals[2]
	if !validKind(l.Kind) {
		return Leaf{}, fmt.Errorf("leaf kind %q unknown", l.Kind)
	}
	if l.Area, err = strconv.ParseInt(vals[3], 10, 64); err != nil || l.Area < 0 {
		return Leaf{}, fmt.Errorf("leaf area %q", vals[3])
	}
	if l.Headcount, err = strconv.Atoi(vals[4]); err != nil || l.Headcount < 0 {
		return Leaf{}, fmt.Errorf("leaf headcount %q", vals[4])
	}
	l.Choices = vals[5]
	if l.Kind != KindVoid && !json.Valid([]byte(l.Choices)) {
		return Leaf{}, fmt.Errorf("leaf choices are not JSON")
	}
	if l.Time, err = time.Parse(TimeLayout, vals[6]); err != nil {
		return Leaf{}, fmt.Errorf("leaf time: %w", err)
	}
	if !bytes.Equal(l.Bytes(), raw) {
		return Leaf{}, fmt.Errorf("leaf is not in canonical form")
	}
	return l, nil
}
