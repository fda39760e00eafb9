package voting

import (
	"context"
	"fmt"
	"time"

	"gongzhi/app"
	"gongzhi/models"
)

// What was recorded for an owner (issue 16, defect 8): after the identity check on the
// personal link, the owner sees the choices of the ballot that counts for them (whoever
// entered it: online, or paper and proxy ballots entered by staff) and every ballot of
// theirs that staff voided, with the reason. The receipt code alone never shows choices
// (VerifyReceipt).

// RecordedChoice is one item's answer as recorded: Option (agree, oppose, abstain; ""
// for a blank) on an ordinary item, the agreed candidates by name on an election.
type RecordedChoice struct {
	Title      string
	Election   bool
	Option     string
	Candidates []string
}

// VoidedBallot is one of the voter's ballots that staff voided, with the reason given.
type VoidedBallot struct {
	Channel  string
	CastAt   time.Time
	Receipt  string
	VoidedAt time.Time
	Reason   string
}

// recordedChoices reads the stored choices of one ballot in the agenda's order.
func (s *Service) recordedChoices(ctx context.Context, items []Item, ballotID int64) ([]RecordedChoice, error) {
	var raw string
	res := s.db.WithContext(ctx).Model(&models.BallotContent{}).Select("choices").Where("ballot_id = ?", ballotID).Limit(1).Scan(&raw)
	if res.Error != nil {
		return nil, app.Internal(fmt.Errorf("choices of ballot %d: %w", ballotID, res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	pc, err := parseChoices([]byte(raw))
	if err != nil {
		return nil, app.Internal(fmt.Errorf("ballot %d: %w", ballotID, err))
	}
	out := make([]RecordedChoice, 0, len(items))
	for _, it := range items {
		rc := RecordedChoice{Title: it.Title, Election: it.IsElection()}
		if rc.Election {
			names := make(map[string]string, len(it.Candidates))
			for _, c := range it.Candidates {
				names[c.Key] = c.Name
			}
			for _, k := range pc.elections[it.Key] {
				if n, ok := names[k]; ok {
					rc.Candidates = append(rc.Candidates, n)
				}
			}
		} else {
			rc.Option = string(pc.items[it.Key])
		}
		out = append(out, rc)
	}
	return out, nil
}

// voidedBallots lists the voter's voided ballots, oldest first.
func (s *Service) voidedBallots(ctx context.Context, voteID, voterID int64) ([]VoidedBallot, error) {
	var rows []VoidedBallot
	err := s.db.WithContext(ctx).Table("ballot_voids").
		Select("ballots.channel, ballots.cast_at, ballots.receipt, ballot_voids.voided_at, ballot_voids.reason").
		Joins("JOIN ballots ON ballots.id = ballot_voids.ballot_id").
		Where("ballot_voids.vote_id = ? AND ballot_voids.voter_id = ?", voteID, voterID).
		Order("ballot_voids.voided_at, ballot_voids.id").Scan(&rows).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("voided ballots: %w", err))
	}
	return rows, nil
}
