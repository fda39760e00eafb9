package property

import (
	"context"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// VoteRecords reads a counted vote: *voting.Service.
type VoteRecords interface {
	Record(ctx context.Context, voteID int64) (voting.VoteRecord, error)
}

// SetVotes gives the service the votes it reads surveys run as ballots from.
func (s *Service) SetVotes(v VoteRecords) { s.votes = v }

// RecordSurveyFromVote records the result of a satisfaction survey run through the
// ballot system as a non-binding item of a vote of the estate (QR links, identity
// check, one answer per voter): respondents are the owners who answered the item
// (agree, oppose or abstain), satisfied those who agreed; the survey closed when the
// vote closed. The item's pass or fail under its matter's threshold is ignored.
func (s *Service) RecordSurveyFromVote(ctx context.Context, p app.Principal, estateID, voteID int64, itemKey string) (int64, error) {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	if s.votes == nil || voteID <= 0 {
		return 0, app.Invalid("vote_id", app.M("err.property.no_such_vote"))
	}
	rec, err := s.votes.Record(ctx, voteID)
	if err != nil || rec.Vote.EstateID != e.ID {
		return 0, app.Invalid("vote_id", app.M("err.property.no_such_vote_of_this_estate"))
	}
	if rec.Result == nil {
		return 0, &app.Error{Code: app.EConflict, Msg: app.M("err.property.the_vote_is_not_counted_yet"),
			Details: []app.Detail{{Field: "vote_id", Msg: app.M("err.property.not_counted")}}}
	}
	item, ok := rec.Result.Items[itemKey]
	if !ok {
		return 0, app.Invalid("item", app.M("err.property.the_vote_has_no_such_item"))
	}
	respondents := item.AgreeHeadcount + item.OpposeHeadcount + item.AbstainHeadcount
	if respondents < 1 {
		return 0, app.Invalid("item", app.M("err.property.nobody_answered_the_item"))
	}
	closed := rec.Result.ClosedAt.UTC()
	if closed.IsZero() {
		closed = rec.Vote.ClosesAt.UTC()
	}
	now := s.now()
	sv := models.SatisfactionSurvey{EstateID: e.ID, ClosedAt: closed, Respondents: respondents, Satisfied: item.AgreeHeadcount,
		Source: "ballot", VoteID: &voteID, CreatedAt: now}
	if p.UserID != 0 {
		sv.CreatedBy = ptr(p.UserID)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.SatisfactionSurvey{}).Where("vote_id = ?", voteID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &app.Error{Code: app.EConflict, Msg: app.M("err.property.already_recorded_2"),
				Details: []app.Detail{{Field: "vote_id", Msg: app.M("err.property.already_recorded_3")}}}
		}
		company, ok, err := companyOn(ctx, tx, e.ID, dayOf(closed))
		if err != nil {
			return err
		}
		if !ok {
			return app.Invalid("vote_id", app.M("err.property.no_service_contract_covers_the_day_the_vote"))
		}
		sv.ID, sv.CompanyID = 0, company
		if err := tx.Create(&sv).Error; err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, p, audit.Entry{Action: "satisfaction_survey.from_vote", TargetType: "satisfaction_survey", TargetID: sv.ID,
			OrgID: e.CommunityID, EstateID: e.ID, Detail: map[string]any{"vote_id": voteID, "item": itemKey, "respondents": respondents,
				"satisfied": item.AgreeHeadcount, "closed_at": closed.Format(time.RFC3339)}}); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, e.ID, company)
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return sv.ID, nil
}
