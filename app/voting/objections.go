package voting

import (
	"context"
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

// Objection is an objection to a preliminary result and its answer.
type Objection struct {
	ID         int64
	VoteID     int64
	ByOwner    bool     // filed through the owner's ballot link (identity checked)
	Rooms      []string // the owner's rooms when ByOwner
	Submitter  string   // who the staff member recorded it for, otherwise
	EnteredBy  string
	Content    string
	CreatedAt  time.Time
	Answered   bool
	Answer     string
	AnsweredBy string
	AnsweredAt *time.Time
}

// objectionsOnly narrows the objections read: of one voter, or one objection (0: any).
type objectionsOnly struct{ voterID, id int64 }

// objections lists the objections of a vote, narrowed by only.
func (s *Service) objections(ctx context.Context, db *gorm.DB, voteID int64, only objectionsOnly) ([]Objection, error) {
	var rows []struct {
		models.VoteObjection
		Rooms         *string
		EnteredByName *string
	}
	q := db.WithContext(ctx).Table("vote_objections").
		Select("vote_objections.*, vote_voters.rooms, users.username AS entered_by_name").
		Joins("LEFT JOIN vote_voters ON vote_voters.id = vote_objections.voter_id").
		Joins("LEFT JOIN users ON users.id = vote_objections.entered_by").
		Where("vote_objections.vote_id = ?", voteID).Order("vote_objections.id")
	if only.voterID != 0 {
		q = q.Where("vote_objections.voter_id = ?", only.voterID)
	}
	if only.id != 0 {
		q = q.Where("vote_objections.id = ?", only.id)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("objections of vote %d: %w", voteID, err)
	}
	out := make([]Objection, 0, len(rows))
	for _, r := range rows {
		o := Objection{ID: r.ID, VoteID: r.VoteID, ByOwner: r.VoterID != nil && r.CredentialID != nil, Rooms: []string{},
			Submitter: r.Submitter, Content: r.Content, CreatedAt: r.CreatedAt, Answered: r.Answer != nil,
			AnsweredBy: r.AnsweredByName, AnsweredAt: r.AnsweredAt}
		if r.Rooms != nil {
			o.Rooms = splitRooms(*r.Rooms)
		}
		if r.EnteredByName != nil {
			o.EnteredBy = *r.EnteredByName
		}
		if r.Answer != nil {
			o.Answer = *r.Answer
		}
		out = append(out, o)
	}
	return out, nil
}

// objectionWindow refuses an objection outside the window: 409 before publication,
// 410 after the deadline or once final.
func objectionWindow(v models.Vote, now time.Time) error {
	switch v.State {
	case models.VotePublished:
		if v.ObjectionDeadline != nil && now.Before(*v.ObjectionDeadline) {
			return nil
		}
		return app.Fail(app.EGone, "err.voting.the_objection_period_has_ended", showTime(derefTime(v.ObjectionDeadline)))
	case models.VoteFinal:
		return app.Fail(app.EGone, "err.voting.the_result_is_final")
	}
	return app.Fail(app.EConflict, "err.voting.the_result_is_not_published_yet")
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// objectionText checks the text of an objection or an answer.
func objectionText(field, text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", app.Invalid(field, app.M("err.voting.required"))
	}
	if utf8.RuneCountInString(text) > 2000 {
		return "", app.Invalid(field, app.M("err.voting.at_most_2000_characters"))
	}
	return text, nil
}

// FileObjection files an owner's objection to a published preliminary result
// through the personal ballot link, after the same identity check as a ballot,
// through the same door (admitCheck): the answer is counted before it is compared,
// and only during the objection window. The objection's transaction reads the link
// and the vote again, refusing a link locked or revoked since its check and a
// window closed meanwhile.
func (s *Service) FileObjection(ctx context.Context, token, idCheck, content string) (Objection, error) {
	if err := checkIDAnswer(idCheck); err != nil {
		return Objection{}, err
	}
	content, err := objectionText("content", content)
	if err != nil {
		return Objection{}, err
	}
	checked, err := s.admitCheck(ctx, token, idCheck, objectionWindow)
	if err != nil {
		return Objection{}, err
	}
	var row models.VoteObjection
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		cred, err := s.tokenCredential(ctx, tx, checked.TokenHash)
		if err != nil {
			return err
		}
		v, err := models.FindVote(ctx, tx, cred.VoteID)
		if err != nil {
			return err
		}
		if err := objectionWindow(v, now); err != nil {
			return err
		}
		if cred.Status == models.CredentialLocked {
			return errLocked(profileOf(v).IdentityCheckAttempts)
		}
		voterID, credID := cred.VoterID, cred.CredentialID
		row = models.VoteObjection{VoteID: v.ID, VoterID: &voterID, CredentialID: &credID, Content: content, CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("filing objection: %w", err)
		}
		return recordEvent(ctx, tx, models.VoteEvent{VoteID: v.ID, VoterID: &voterID, CredentialID: &credID, Kind: "objection_filed",
			At: now, Detail: fmt.Sprintf("objection %d", row.ID)})
	})
	if err != nil {
		return Objection{}, app.AsErrorOrNil(err)
	}
	return s.objectionByID(ctx, row.VoteID, row.ID)
}

// objectionByID loads one objection of a vote.
func (s *Service) objectionByID(ctx context.Context, voteID, id int64) (Objection, error) {
	list, err := s.objections(ctx, s.db, voteID, objectionsOnly{id: id})
	if err != nil {
		return Objection{}, app.Internal(err)
	}
	if len(list) == 0 {
		return Objection{}, app.Fail(app.ENotFound, "err.voting.objection_not_found")
	}
	return list[0], nil
}

// RecordObjection records an objection received on paper, for the person named in
// submitter, during the objection window.
func (s *Service) RecordObjection(ctx context.Context, p app.Principal, voteID int64, submitter, content string) (Objection, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Objection{}, err
	}
	submitter = strings.TrimSpace(submitter)
	if submitter == "" {
		return Objection{}, app.Invalid("submitter", app.M("err.voting.name_the_owner_and_room"))
	}
	if utf8.RuneCountInString(submitter) > 100 {
		return Objection{}, app.Invalid("submitter", app.M("err.voting.at_most_100_characters"))
	}
	if content, err = objectionText("content", content); err != nil {
		return Objection{}, err
	}
	var row models.VoteObjection
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		cur, err := models.FindVote(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if err := objectionWindow(cur, now); err != nil {
			return err
		}
		row = models.VoteObjection{VoteID: v.ID, Submitter: submitter, Content: content, CreatedAt: now}
		if p.UserID != 0 {
			uid := p.UserID
			row.EnteredBy = &uid
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("recording objection: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.objection.record", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"objection_id": row.ID}})
	})
	if err != nil {
		return Objection{}, app.AsErrorOrNil(err)
	}
	return s.objectionByID(ctx, v.ID, row.ID)
}

// AnswerObjection records the answer to an objection, once.
func (s *Service) AnswerObjection(ctx context.Context, p app.Principal, voteID, objectionID int64, answer string) (Objection, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Objection{}, err
	}
	if answer, err = objectionText("answer", answer); err != nil {
		return Objection{}, err
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		var by *int64
		if p.UserID != 0 {
			uid := p.UserID
			by = &uid
		}
		res := tx.Model(&models.VoteObjection{}).Where("id = ? AND vote_id = ? AND answer IS NULL", objectionID, v.ID).
			Updates(map[string]any{"answer": answer, "answered_by": by, "answered_by_name": p.Username, "answered_at": now})
		if res.Error != nil {
			return fmt.Errorf("answering objection: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&models.VoteObjection{}).Where("id = ? AND vote_id = ?", objectionID, v.ID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return app.Fail(app.ENotFound, "err.voting.objection_not_found")
			}
			return app.Fail(app.EConflict, "err.voting.the_objection_has_already_been_answered")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.objection.answer", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"objection_id": objectionID}})
	})
	if err != nil {
		return Objection{}, app.AsErrorOrNil(err)
	}
	return s.objectionByID(ctx, v.ID, objectionID)
}

// Objections lists the objections of a vote with their answers.
func (s *Service) Objections(ctx context.Context, p app.Principal, voteID int64) ([]Objection, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	list, err := s.objections(ctx, s.db, v.ID, objectionsOnly{})
	if err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}
