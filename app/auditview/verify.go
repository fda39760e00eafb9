package auditview

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/ballotlog"
	"gongzhi/app/database"
)

// Verification is one run of the offline verifier (app/ballotlog.Verify, the code
// of cmd/verify) from the workspace, kept in audit_verifications: when, by whom,
// whether all held, and the one-line summary or the first mismatch named.
type Verification struct {
	ID           int64     `json:"id"`
	OK           bool      `json:"ok"`
	Summary      string    `json:"summary"`
	WithPDF      bool      `json:"with_pdf"`
	BundleSHA256 string    `json:"bundle_sha256"`
	RunBy        string    `json:"run_by"`
	RunAt        time.Time `json:"run_at"`
}

// verificationRow is a row of audit_verifications (migration 00030).
type verificationRow struct {
	ID           int64 `gorm:"primaryKey"`
	VoteID       int64
	OK           bool   `gorm:"column:ok"`
	Summary      string `gorm:"column:summary"`
	WithPDF      bool   `gorm:"column:with_pdf"`
	BundleSHA256 string `gorm:"column:bundle_sha256"`
	RunBy        *int64
	RunByName    string
	RunAt        time.Time
}

func (verificationRow) TableName() string { return "audit_verifications" }

// VerifySources gives the verifier its inputs: the vote's auditors' bundle, the
// resolution PDF in force (nil when none is issued yet) and the platform's
// published log key the bundle's signatures must be made with.
type VerifySources struct {
	Bundle func(ctx context.Context, p app.Principal, voteID int64) (*ballotlog.Bundle, error)
	PDF    func(ctx context.Context, p app.Principal, voteID int64) ([]byte, error)
	Key    func() ed25519.PublicKey
}

// SetVerifySources wires the verifier's inputs (app/services); without them
// RunVerify answers 409.
func (s *Service) SetVerifySources(v VerifySources) { s.verify = v }

// maxVerifications bounds the kept runs shown on the workspace.
const maxVerifications = 20

// verifications lists the kept verifier runs of a vote, newest first.
func (s *Service) verifications(ctx context.Context, voteID int64) ([]Verification, error) {
	var rows []verificationRow
	if err := s.db.WithContext(ctx).Where("vote_id = ?", voteID).Order("id DESC").Limit(maxVerifications).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("verifications: %w", err)
	}
	out := make([]Verification, 0, len(rows))
	for _, r := range rows {
		out = append(out, Verification{ID: r.ID, OK: r.OK, Summary: r.Summary, WithPDF: r.WithPDF, BundleSHA256: r.BundleSHA256,
			RunBy: r.RunByName, RunAt: r.RunAt})
	}
	return out, nil
}

// RunVerify runs the offline verifier on the vote's auditors' bundle (and the
// resolution PDF when one is issued), pinned to the platform's log key, keeps the
// result and audits it. A mismatch is a result, not an error: it is kept and
// returned with OK false and the first mismatch named.
func (s *Service) RunVerify(ctx context.Context, p app.Principal, voteID int64) (Verification, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return Verification{}, err
	}
	if s.verify.Bundle == nil {
		return Verification{}, app.Fail(app.EConflict, "err.auditview.the_verifier_is_not_configured")
	}
	b, err := s.verify.Bundle(ctx, p, v.ID)
	if err != nil {
		return Verification{}, err
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return Verification{}, app.Internal(err)
	}
	// The PDF only when the bundle names one: fetching a resolution not issued yet
	// would issue it, which is not the auditor's to do.
	var pdf []byte
	if s.verify.PDF != nil && b.ResolutionPDFSHA256 != "" {
		pdf, err = s.verify.PDF(ctx, p, v.ID)
		if err != nil && app.ErrorCode(err) == app.EInternal {
			return Verification{}, err
		}
		if err != nil {
			pdf = nil // no resolution in force yet: the bundle alone
		}
	}
	var key ed25519.PublicKey
	if s.verify.Key != nil {
		key = s.verify.Key()
	}
	row := verificationRow{VoteID: v.ID, WithPDF: pdf != nil, RunByName: p.Username, RunAt: s.clock.Now().UTC()}
	sum := sha256.Sum256(raw)
	row.BundleSHA256 = hex.EncodeToString(sum[:])
	if res, verr := ballotlog.Verify(b, pdf, key); verr != nil {
		var m *ballotlog.Mismatch
		if errors.As(verr, &m) {
			row.Summary = "MISMATCH " + m.Error()
		} else {
			row.Summary = "MISMATCH " + verr.Error()
		}
	} else {
		row.OK, row.Summary = true, res.String()
	}
	if p.UserID != 0 {
		uid := p.UserID
		row.RunBy = &uid
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		row.ID = 0
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("keeping the verification: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.verify", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"verification_id": row.ID, "ok": row.OK, "bundle_sha256": row.BundleSHA256, "with_pdf": row.WithPDF}})
	})
	if err != nil {
		return Verification{}, app.AsErrorOrNil(err)
	}
	return Verification{ID: row.ID, OK: row.OK, Summary: row.Summary, WithPDF: row.WithPDF, BundleSHA256: row.BundleSHA256,
		RunBy: row.RunByName, RunAt: row.RunAt}, nil
}
