package voting

import (
	"context"
	"fmt"
	"time"

	"gongzhi/app"
	"gongzhi/models"
)

// ReceiptCheck is what anyone learns from a receipt code: the vote, when and by which
// channel the ballot was cast, and whether it was voided or counted; never the choices.
type ReceiptCheck struct {
	Code       string
	VoteID     int64
	VoteTitle  string
	EstateName string
	Channel    string
	CastAt     time.Time
	Voided     bool
	VoidedAt   *time.Time
	Counted    bool // the vote has been counted and this ballot was in it
}

// VerifyReceipt checks a receipt code (public).
func (s *Service) VerifyReceipt(ctx context.Context, code string) (ReceiptCheck, error) {
	code = NormalizeReceipt(code)
	if len(code) != 19 {
		return ReceiptCheck{}, app.Invalid("code", app.M("err.voting.a_receipt_has_16_characters"))
	}
	var row struct {
		models.Ballot
		Title      string
		EstateName string
		ClosedAt   *time.Time
		VoidedAt   *time.Time
	}
	res := s.db.WithContext(ctx).Table("ballots").
		Select("ballots.*, votes.title, votes.closed_at, estates.name AS estate_name, ballot_voids.voided_at").
		Joins("JOIN votes ON votes.id = ballots.vote_id").
		Joins("JOIN estates ON estates.id = votes.estate_id").
		Joins("LEFT JOIN ballot_voids ON ballot_voids.ballot_id = ballots.id").
		Where("ballots.receipt = ?", code).Limit(1).Scan(&row)
	if res.Error != nil {
		return ReceiptCheck{}, app.Internal(fmt.Errorf("receipt: %w", res.Error))
	}
	if res.RowsAffected == 0 {
		return ReceiptCheck{}, app.Fail(app.ENotFound, "err.voting.no_ballot_has_this_receipt")
	}
	return ReceiptCheck{Code: code, VoteID: row.VoteID, VoteTitle: row.Title, EstateName: row.EstateName, Channel: row.Channel,
		CastAt: row.CastAt, Voided: row.VoidedAt != nil, VoidedAt: row.VoidedAt,
		Counted: row.VoidedAt == nil && row.ClosedAt != nil}, nil
}
