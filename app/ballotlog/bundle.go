package ballotlog

import (
	"encoding/json"
	"time"
)

// BundleFormat is the format name and version of bundles (docs/bundle.md).
const BundleFormat = "gongzhi-ballot-bundle/1"

// Bundle kinds.
const (
	BundlePublic  = "public"
	BundleAuditor = "auditor"
)

// Bundle is everything needed to re-check a vote offline: the vote's counting
// parameters, every leaf of its log, every signed head, the platform's public key,
// the published results and the resolution PDF's SHA-256.
//
// The public bundle carries each leaf's hash only, never its bytes: a leaf's area
// with its choices would tell anyone how the owner of a unit of unusual area voted
// (docs/bundle.md, "Ballot secrecy"). It proves the signatures, the roots, that the
// log only grew, and that the closing head signed these results and this spec; each
// owner checks their own leaf with their receipt's proof. The auditors' bundle
// carries the leaves' bytes (so a recount) and adds the rooms and channel behind
// each receipt.
type Bundle struct {
	Format              string          `json:"format"`
	Kind                string          `json:"kind"`
	GeneratedAt         time.Time       `json:"generated_at"`
	Vote                VoteSpec        `json:"vote"`
	PublicKey           string          `json:"public_key"` // base64 Ed25519
	KeyID               string          `json:"key_id"`
	Leaves              []BundleLeaf    `json:"leaves"`
	Heads               []Head          `json:"heads"`
	Results             json.RawMessage `json:"results"` // the published result document, byte for byte
	ResultsSHA256       string          `json:"results_sha256"`
	ResolutionPDFSHA256 string          `json:"resolution_pdf_sha256,omitempty"`
	ResolutionNumber    string          `json:"resolution_number,omitempty"`
	Rooms               []BallotRooms   `json:"rooms,omitempty"` // auditors' bundle only
}

// VoteSpec is what a recount needs of the vote: its legal profile, the frozen
// totals and the items as noticed.
type VoteSpec struct {
	VoteID         int64          `json:"vote_id"`
	Title          string         `json:"title"`
	LegalProfile   string         `json:"legal_profile"`
	TotalArea      int64          `json:"total_area"` // 0.01 m²
	TotalHeadcount int            `json:"total_headcount"`
	FollowMajority bool           `json:"follow_majority"`
	Items          []ItemSpec     `json:"items"`
	Elections      []ElectionSpec `json:"elections"`
	ClosedAt       *time.Time     `json:"closed_at,omitempty"`
}

// ItemSpec is an ordinary item: its key and matter.
type ItemSpec struct {
	Key    string `json:"key"`
	Matter string `json:"matter"`
}

// ElectionSpec is a committee election: seats, alternates, the legal minimum of a
// formed committee and the candidate keys in list order.
type ElectionSpec struct {
	Key        string   `json:"key"`
	Seats      int      `json:"seats"`
	Alternates int      `json:"alternates"`
	MinMembers int      `json:"min_members"`
	Candidates []string `json:"candidates"`
}

// BundleLeaf is one leaf: its sequence, canonical bytes and hash (hex). The public
// bundle leaves the bytes out (Leaf empty, omitted from the JSON).
type BundleLeaf struct {
	Seq      uint64 `json:"seq"`
	Leaf     string `json:"leaf,omitempty"`
	LeafHash string `json:"leaf_hash"`
}

// BallotRooms is, for auditors, the rooms and channel behind a receipt.
type BallotRooms struct {
	Receipt string    `json:"receipt"`
	Channel string    `json:"channel"`
	Rooms   []string  `json:"rooms"`
	CastAt  time.Time `json:"cast_at"`
}
