package documents

import (
	"context"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// VoteOverview is what a vote's documents page shows: the vote, every stored version of
// its resolution and notices, its assembly minutes if any, and what may be done now.
type VoteOverview struct {
	Vote       voting.VoteDetail
	Documents  []Document
	MinutesID  int64
	CanChange  bool // the principal may change the vote (not an auditor)
	Closed     bool // counted: the resolution can be issued
	NoticeTime bool // opened and not yet closed: the notices can be printed
	// ResolutionIssued tells whether a resolution version is in force; before that the
	// download is an unnumbered draft preview (issue 16).
	ResolutionIssued bool
}

// VoteOverview loads a vote's documents page.
func (s *Service) VoteOverview(ctx context.Context, p app.Principal, voteID int64) (VoteOverview, error) {
	d, err := s.votes.Vote(ctx, p, voteID)
	if err != nil {
		return VoteOverview{}, err
	}
	out := VoteOverview{Vote: d, CanChange: access.Can(p, access.RunVote)}
	switch d.Phase {
	case voting.PhaseScheduled, voting.PhaseVoting:
		out.NoticeTime = true
	case voting.PhaseCounting, voting.PhaseClosed, voting.PhasePublished, voting.PhaseFinal:
		out.Closed = true
	}
	docs, err := models.DocumentsOf(ctx, s.db, d.EstateID, d.ID)
	if err != nil {
		return VoteOverview{}, app.Internal(err)
	}
	if out.Documents, err = s.describe(ctx, docs); err != nil {
		return VoteOverview{}, err
	}
	for _, doc := range out.Documents {
		if doc.Kind == models.DocResolution && doc.Status == models.DocInForce {
			out.ResolutionIssued = true
		}
	}
	var m models.Minutes
	res := s.db.WithContext(ctx).Where("vote_id = ?", d.ID).Limit(1).Find(&m)
	if res.Error != nil {
		return VoteOverview{}, app.Internal(res.Error)
	}
	if res.RowsAffected > 0 {
		out.MinutesID = m.ID
	}
	return out, nil
}

// CountedVotes lists an estate's votes that have been counted (closed, published or
// final), newest first: the votes whose assembly minutes can be written.
func (s *Service) CountedVotes(ctx context.Context, p app.Principal, estateID int64) ([]voting.VoteSummary, error) {
	list, err := s.votes.ListVotes(ctx, p, estateID)
	if err != nil {
		return nil, err
	}
	out := make([]voting.VoteSummary, 0, len(list))
	for _, v := range list {
		switch v.Phase {
		case voting.PhaseCounting, voting.PhaseClosed, voting.PhasePublished, voting.PhaseFinal:
			out = append(out, v)
		}
	}
	return out, nil
}

// Permissions tell the pages which record forms to show, from the policy every use case
// checks again (app/access).
type Permissions struct {
	KeepRecords bool // announcements and minutes
	RunVote     bool // notices, their regeneration and resolution corrections
}

// Permissions computes what p may do with an estate's records (in its jurisdiction).
func (s *Service) Permissions(p app.Principal) Permissions {
	return Permissions{KeepRecords: access.Can(p, access.KeepRecords), RunVote: access.Can(p, access.RunVote)}
}
