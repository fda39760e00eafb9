package voting

import (
	"context"

	"gongzhi/app"
)

// RemovalCases answers whether an agenda item may decide the removal of a committee
// member on a case (issue 12): the case must be founded, of the vote's estate, and its
// member not already ended. app/committee implements it; voting does not import it.
type RemovalCases interface {
	CheckRemovalItem(ctx context.Context, estateID, caseID int64) error
}

// FinalListener is told, after the transaction that made a vote's result final has
// committed, that the vote is final (app/committee settles removal items then). Its
// error is logged; the vote stays final.
type FinalListener interface {
	VoteFinal(ctx context.Context, p app.Principal, voteID int64) error
}

// SetRemovalCases installs the checker of removal items. Call it before serving.
func (s *Service) SetRemovalCases(r RemovalCases) { s.removals = r }

// SetFinalListener installs the listener told of final votes. Call it before serving.
func (s *Service) SetFinalListener(l FinalListener) { s.finals = l }

// removalChecker is the removal check of validateItems for one estate.
func (s *Service) removalChecker(ctx context.Context, estateID int64) func(int64) error {
	return func(caseID int64) error {
		if s.removals == nil {
			return app.Fail(app.EInvalid, "err.voting.removal_items_are_not_enabled")
		}
		return s.removals.CheckRemovalItem(ctx, estateID, caseID)
	}
}

// removalCheck runs check (nil: refused) on one case id.
func removalCheck(check func(int64) error, caseID int64) error {
	if caseID < 0 {
		return app.Fail(app.EInvalid, "err.voting.invalid_case_id")
	}
	if check == nil {
		return app.Fail(app.EInvalid, "err.voting.removal_items_are_not_enabled")
	}
	return check(caseID)
}

// notifyFinal tells the listener that a vote is final; a failure is logged.
func (s *Service) notifyFinal(ctx context.Context, p app.Principal, voteID int64) {
	if s.finals == nil {
		return
	}
	if err := s.finals.VoteFinal(ctx, p, voteID); err != nil && s.log != nil {
		s.log.Error("settling a final vote", "vote_id", voteID, "error", err)
	}
}
