package voting

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Publication is the publication of a preliminary result.
type Publication struct {
	PublishedAt       time.Time
	PublishDueAt      time.Time // the last moment within the profile's publication days
	Late              bool      // published after PublishDueAt (allowed, flagged)
	ObjectionDeadline time.Time // objections accepted until then
}

// Publish publishes the preliminary result of a closed vote with the profile's
// objection window. It should happen within the profile's publication days after
// the closing time (BJ 37: 3 days); later is still allowed but flagged late.
func (s *Service) Publish(ctx context.Context, p app.Principal, voteID int64) (Publication, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Publication{}, err
	}
	if v.State == models.VoteOpen {
		if s.now().Before(v.ClosesAt) {
			return Publication{}, app.Fail(app.EConflict, "err.voting.voting_has_not_closed")
		}
		if _, err := s.Close(ctx, v.ID); err != nil {
			return Publication{}, err
		}
		if v, err = models.FindVote(ctx, s.db, v.ID); err != nil {
			return Publication{}, app.Internal(err)
		}
	}
	switch v.State {
	case models.VoteClosed:
	case models.VoteDraft:
		return Publication{}, app.Fail(app.EConflict, "err.voting.the_vote_is_not_open")
	default:
		return Publication{}, app.Fail(app.EConflict, "err.voting.the_result_is_already_published")
	}
	prof := profileOf(v)
	now := s.now()
	out := Publication{PublishedAt: now}
	if out.PublishDueAt, err = s.deadline(ctx, nil, v.ClosesAt, prof.ResultsPublishDays); err != nil {
		return Publication{}, err
	}
	if out.ObjectionDeadline, err = s.deadline(ctx, nil, now, prof.ObjectionDays); err != nil {
		return Publication{}, err
	}
	out.Late = now.After(out.PublishDueAt)
	var by *int64
	if p.UserID != 0 {
		uid := p.UserID
		by = &uid
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ?", v.ID, models.VoteClosed).Updates(map[string]any{
			"state": models.VotePublished, "published_at": now, "published_by": by, "publish_due_at": out.PublishDueAt,
			"publish_late": out.Late, "objection_deadline": out.ObjectionDeadline, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("publishing vote %d: %w", v.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.voting.the_result_is_already_published")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.publish", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"late": out.Late, "publish_due_at": out.PublishDueAt, "objection_deadline": out.ObjectionDeadline,
				"tally_sha256": v.TallySHA256}})
	})
	if err != nil {
		return Publication{}, app.AsErrorOrNil(err)
	}
	s.notifyPublished(ctx, p, v.ID)
	return out, nil
}

// PublishListener is told, after the transaction that published a vote's result has
// committed, that the result is published: app/documents issues (or annotates with the
// publication dates) the vote's resolution then, so no download ever has to issue it.
// Its error is logged; the result stays published and staff can issue the resolution.
type PublishListener interface {
	VotePublished(ctx context.Context, p app.Principal, voteID int64) error
}

// SetPublishListener installs the listener told of published results. Call it before serving.
func (s *Service) SetPublishListener(l PublishListener) { s.published = l }

// notifyPublished tells the listener that a vote's result is published; a failure is logged.
func (s *Service) notifyPublished(ctx context.Context, p app.Principal, voteID int64) {
	if s.published == nil {
		return
	}
	if err := s.published.VotePublished(ctx, p, voteID); err != nil && s.log != nil {
		s.log.Error("issuing the resolution of a published vote", "vote_id", voteID, "error", err)
	}
}

// Finalise declares the published result final once the objection window has ended
// and every objection has been answered.
func (s *Service) Finalise(ctx context.Context, p app.Principal, voteID int64) (time.Time, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	switch {
	case v.State == models.VoteFinal:
		return time.Time{}, app.Fail(app.EConflict, "err.voting.the_result_is_already_final")
	case v.State != models.VotePublished:
		return time.Time{}, app.Fail(app.EConflict, "err.voting.the_result_is_not_published_yet_2")
	case v.ObjectionDeadline != nil && now.Before(*v.ObjectionDeadline):
		return time.Time{}, app.Fail(app.EConflict, "err.voting.the_objection_period_ends", rules.DeadlineText(*v.ObjectionDeadline, rules.DayLayoutZH), rules.DeadlineText(*v.ObjectionDeadline, rules.DayLayoutEN))
	}
	var by *int64
	if p.UserID != 0 {
		uid := p.UserID
		by = &uid
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var open int64
		if err := tx.Model(&models.VoteObjection{}).Where("vote_id = ? AND answer IS NULL", v.ID).Count(&open).Error; err != nil {
			return fmt.Errorf("counting open objections: %w", err)
		}
		if open > 0 {
			return app.Fail(app.EConflict, "err.voting.objections_are_not_answered_yet", open)
		}
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ?", v.ID, models.VotePublished).
			Updates(map[string]any{"state": models.VoteFinal, "finalised_at": now, "finalised_by": by, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("finalising vote %d: %w", v.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.voting.the_result_is_already_final")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.finalise", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"tally_sha256": v.TallySHA256}})
	})
	if err != nil {
		return time.Time{}, app.AsErrorOrNil(err)
	}
	s.notifyFinal(ctx, p, v.ID)
	return now, nil
}
