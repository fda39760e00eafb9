package voting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/models"
)

// VoidInfo describes the void of a ballot.
type VoidInfo struct {
	BallotID int64
	Reason   string
	By       string
	At       time.Time
}

// Void voids a ballot during the voting period. The reason is required; the void is
// its own record (the ballot itself is never changed), audited and shown to
// auditors. Afterwards the voter may vote again by any channel.
func (s *Service) Void(ctx context.Context, p app.Principal, voteID, ballotID int64, reason string) (VoidInfo, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return VoidInfo{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return VoidInfo{}, app.Invalid("reason", app.M("err.voting.a_void_needs_a_reason"))
	}
	if utf8.RuneCountInString(reason) > 500 {
		return VoidInfo{}, app.Invalid("reason", app.M("err.voting.at_most_500_characters"))
	}
	var out VoidInfo
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		lv, err := s.lockVote(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if phaseOf(lv, now) != PhaseVoting {
			return app.Fail(app.EConflict, "err.voting.ballots_can_be_voided_only_during_the_voting")
		}
		var b models.Ballot
		if err := tx.Where("id = ? AND vote_id = ?", ballotID, v.ID).Take(&b).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Fail(app.ENotFound, "err.voting.ballot_not_found")
			}
			return fmt.Errorf("ballot %d: %w", ballotID, err)
		}
		row := models.BallotVoid{BallotID: b.ID, VoteID: v.ID, VoterID: b.VoterID, Reason: reason, VoidedByName: p.Username, VoidedAt: now}
		if p.UserID != 0 {
			uid := p.UserID
			row.VoidedBy = &uid
		}
		if err := tx.Create(&row).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.voting.the_ballot_is_already_void")
			}
			return fmt.Errorf("voiding ballot: %w", err)
		}
		if err := s.appendVoidLeaf(ctx, tx, b, now); err != nil {
			return err
		}
		out = VoidInfo{BallotID: b.ID, Reason: reason, By: p.Username, At: now}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "ballot.void", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"ballot_id": b.ID, "voter_id": b.VoterID, "channel": b.Channel, "receipt": b.Receipt, "reason": reason}})
	})
	if err != nil {
		return VoidInfo{}, app.AsErrorOrNil(err)
	}
	return out, nil
}

// BallotRecord is one ballot for staff and auditors: who voted, how and when, who
// entered it, the proxy, scans and any void; never what was chosen.
type BallotRecord struct {
	ID            int64
	VoterID       int64
	Rooms         []string
	Channel       string
	Attempt       int
	CastAt        time.Time
	Receipt       string
	EnteredBy     string
	ProxyName     string
	ProxyIDMasked string
	Authorisation string
	Note          string
	Scans         []ScanInfo
	Void          *VoidInfo
}

// Ballots lists every ballot of a vote, voided ones included, newest first.
func (s *Service) Ballots(ctx context.Context, p app.Principal, voteID int64) ([]BallotRecord, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		models.Ballot
		Rooms        string
		VoidReason   *string
		VoidedByName *string
		VoidedAt     *time.Time
	}
	err = s.db.WithContext(ctx).Table("ballots").
		Select(`ballots.*, vote_voters.rooms, ballot_voids.reason AS void_reason, ballot_voids.voided_by_name, ballot_voids.voided_at`).
		Joins("JOIN vote_voters ON vote_voters.id = ballots.voter_id").
		Joins("LEFT JOIN ballot_voids ON ballot_voids.ballot_id = ballots.id").
		Where("ballots.vote_id = ?", v.ID).Order("ballots.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("ballots of vote %d: %w", v.ID, err))
	}
	var scans []models.BallotScan
	if err := s.db.WithContext(ctx).Omit("data").Where("vote_id = ?", v.ID).Order("id").Find(&scans).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("scans of vote %d: %w", v.ID, err))
	}
	scansOf := map[int64][]ScanInfo{}
	for _, sc := range scans {
		scansOf[sc.BallotID] = append(scansOf[sc.BallotID], scanInfo(sc))
	}
	out := make([]BallotRecord, 0, len(rows))
	for _, r := range rows {
		rec := BallotRecord{ID: r.ID, VoterID: r.VoterID, Rooms: splitRooms(r.Rooms), Channel: r.Channel, Attempt: r.Attempt,
			CastAt: r.CastAt, Receipt: r.Receipt, EnteredBy: r.EnteredByName, ProxyName: r.ProxyName, ProxyIDMasked: r.ProxyIDMasked,
			Authorisation: r.ProxyAuthorisation, Note: r.Note, Scans: scansOf[r.ID]}
		if rec.Scans == nil {
			rec.Scans = []ScanInfo{}
		}
		// An online ballot's receipt code is the owner's secret: with it the receipt API
		// and the ballot log show the ballot's leaf, choices included, so staff who see
		// the rooms never see the codes of online ballots (issue 14 review).
		if r.Channel == models.ChannelOnline {
			rec.Receipt = ""
		}
		if r.VoidReason != nil {
			rec.Void = &VoidInfo{BallotID: r.ID, Reason: *r.VoidReason}
			if r.VoidedByName != nil {
				rec.Void.By = *r.VoidedByName
			}
			if r.VoidedAt != nil {
				rec.Void.At = *r.VoidedAt
			}
		}
		out = append(out, rec)
	}
	return out, nil
}
