package voting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/ballotlog"
	"gongzhi/models"
)

// VoteRecord is a vote as the documents made from it need it: the vote row, its agenda
// (the frozen revision once the vote is opened) and its stored result once counted.
type VoteRecord struct {
	Vote   models.Vote
	Items  []Item
	Result *Result // nil until the vote has been counted
	// ClosingHead is the ballot log's signed closing head (Record only; nil: none).
	ClosingHead *ballotlog.Head
}

// Record reads the record of a vote, for sibling services only (app/documents): it takes
// no principal and checks no access, so the caller decides once who may see what it
// returns (staff of the estate through orgs.Estate, anyone once Vote.Published()) and
// shows nothing before it has. A vote past its closing time that the closer has not
// closed yet is closed first, as the closer would (closing is the system's own act and
// idempotent). An unknown vote is ErrVoteNotFound.
func (s *Service) Record(ctx context.Context, voteID int64) (VoteRecord, error) {
	v, err := models.FindVote(ctx, s.db, voteID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return VoteRecord{}, ErrVoteNotFound()
	}
	if err != nil {
		return VoteRecord{}, app.Internal(err)
	}
	if v.State == models.VoteOpen && !s.now().Before(v.ClosesAt) {
		if _, err := s.Close(ctx, v.ID); err != nil {
			return VoteRecord{}, err
		}
		if v, err = models.FindVote(ctx, s.db, v.ID); err != nil {
			return VoteRecord{}, app.Internal(err)
		}
	}
	rec, err := s.RecordOf(ctx, v)
	if err != nil || rec.Result == nil {
		return rec, err
	}
	rec.ClosingHead, err = s.closingHead(ctx, v.ID)
	return rec, err
}

// RecordOf is the record of a vote its caller has already read (a sibling service
// listing an estate's votes), as it stands: it never closes the vote. A counted vote read
// without its stored result (models.VotesOfEstate leaves it out) is read again for it.
// Like Record it checks no access.
func (s *Service) RecordOf(ctx context.Context, v models.Vote) (VoteRecord, error) {
	if v.TallySHA256 != "" && v.TallyJSON == nil {
		full, err := models.FindVote(ctx, s.db, v.ID)
		if err != nil {
			return VoteRecord{}, app.Internal(err)
		}
		v = full
	}
	ag, err := s.agendaOf(ctx, s.db, v)
	if err != nil {
		return VoteRecord{}, app.Internal(err)
	}
	res, err := storedResult(v)
	if err != nil {
		return VoteRecord{}, err
	}
	return VoteRecord{Vote: v, Items: ag.items, Result: res}, nil
}

// storedResult decodes the result stored when v closed, checked against its SHA-256;
// nil before the vote is counted.
func storedResult(v models.Vote) (*Result, error) {
	if v.TallyJSON == nil {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(*v.TallyJSON))
	if hex.EncodeToString(sum[:]) != v.TallySHA256 {
		return nil, app.Internal(fmt.Errorf("vote %d: stored tally does not match its SHA-256", v.ID))
	}
	var doc Result
	if err := json.Unmarshal([]byte(*v.TallyJSON), &doc); err != nil {
		return nil, app.Internal(fmt.Errorf("vote %d: stored tally: %w", v.ID, err))
	}
	return &doc, nil
}
