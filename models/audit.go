package models

import "time"

// AuditChain is the one row (ID 1) holding the head of the audit hash chain: the
// seq and hash of its last entry. Appends lock it, so the chain cannot fork.
type AuditChain struct {
	ID   int64 `gorm:"primaryKey"`
	Seq  int64
	Hash string
}

// TableName is audit_chain.
func (AuditChain) TableName() string { return "audit_chain" }

// AuditHead is a signed head of the audit chain: the chain had Seq entries and its
// last hash was Hash, signed with the Ed25519 key whose public key is PublicKey (hex).
type AuditHead struct {
	ID        int64 `gorm:"primaryKey"`
	Seq       int64
	Hash      string
	SignedAt  time.Time
	PublicKey string
	Signature string // hex
}

// PaperAudit is one sampled audit of a vote's paper ballots, drawn from Seed.
type PaperAudit struct {
	ID          int64 `gorm:"primaryKey"`
	VoteID      int64
	Seed        string
	Anchor      string // the ballot log's root at the draw (hex); "" for audits drawn before migration 00034
	Nonce       string // the server's random, hex, drawn with the sample; "" likewise
	Population  int
	SampleSize  int
	DrawnBy     *int64
	DrawnByName string
	DrawnAt     time.Time
}

// The outcomes of a checked paper ballot; "" while not checked yet.
const (
	PaperAuditMatch       = "match"
	PaperAuditDiscrepancy = "discrepancy"
)

// PaperAuditItem is one sampled ballot of a paper audit and, once checked, whether
// its scan matched the entered choices.
type PaperAuditItem struct {
	ID            int64 `gorm:"primaryKey"`
	PaperAuditID  int64
	VoteID        int64
	BallotID      int64
	Position      int
	Outcome       string
	Note          string
	CheckedBy     *int64
	CheckedByName string
	CheckedAt     *time.Time
}

// AuditRecount is a recount run from the auditor's workspace, kept with its result.
type AuditRecount struct {
	ID            int64 `gorm:"primaryKey"`
	VoteID        int64
	Matches       bool
	StoredSHA256  string `gorm:"column:stored_sha256"`
	RecountSHA256 string `gorm:"column:recount_sha256"`
	ResultJSON    string
	RunBy         *int64
	RunByName     string
	RunAt         time.Time
}
