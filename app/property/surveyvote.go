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
		return 0, app.Invalid("vote_id", "没有这次表决 / no such vote")
	}
	rec, err := s.votes.Record(ctx, voteID)
	if err != nil || rec.Vote.EstateID != e.ID {
		return 0, app.Invalid("vote_id", "本小区没有这次表决 / no such vote of this estate")
	}
	if rec.Result == nil {
		return 0, &app.Error{Code: app.EConflict, Message: "表决尚未计票 / the vote is not counted yet",
			Details: []app.Detail{{Field: "vote_id", Message: "尚未计票 / not counted"}}}
	}
	item, ok := rec.Result.Items[itemKey]
	if !ok {
		return 0, app.Invalid("item", "表决中没有这个事项 / the vote has no such item")
	}
	respondents := item.AgreeHeadcount + item.OpposeHeadcount + item.AbstainHeadcount
	if respondents < 1 {
		return 0, app.Invalid("item", "该事项没有人作答 / nobody answered the item")
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
			return &app.Error{Code: app.EConflict, Message: "这次表决的调查结果已录入 / already recorded",
				Details: []app.Detail{{Field: "vote_id", Message: "已录入 / already recorded"}}}
		}
		company, ok, err := companyOn(ctx, tx, e.ID, dayOf(closed))
		if err != nil {
			return err
		}
		if !ok {
			return app.Invalid("vote_id", "表决截止日本小区没有备案的物业服务合同 / no service contract covers the day the vote closed")
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
