package formation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// ObjectionKindLabel is the Chinese name of an objection kind.
func ObjectionKindLabel(kind string) string {
	if kind == models.ObjectionCandidateList {
		return "对候选人名单的异议"
	}
	return "对小组成员名单的异议"
}

// ObjectionInput records an objection received by the street office or the group.
type ObjectionInput struct {
	Kind        string // member_list or candidate_list
	CandidateID int64  // optional: the candidate the objection concerns
	Content     string
	Submitter   string     // who raised it; kept for the record, never published
	ReceivedAt  *time.Time // nil means now
}

// AddObjection records an objection to the published member list (it goes to the street
// office, BJ 31) or to the published candidate list (answered publicly).
func (s *Service) AddObjection(ctx context.Context, p app.Principal, groupID int64, in ObjectionInput) (int64, error) {
	g, e, _, err := s.groupForChange(ctx, p, groupID, actWork)
	if err != nil {
		return 0, err
	}
	content, err := text("content", in.Content, 1, 2000, app.M("err.formation.label_objection_content"))
	if err != nil {
		return 0, err
	}
	submitter, err := text("submitter", in.Submitter, 0, 100, app.M("err.formation.label_submitter"))
	if err != nil {
		return 0, err
	}
	now := s.clock()
	received := now
	if in.ReceivedAt != nil {
		received = in.ReceivedAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, received) > 0 {
			return 0, app.Invalid("received_at", "收到时间不能晚于今天")
		}
	}
	o := models.FormationObjection{GroupID: g.ID, Kind: in.Kind, Content: content, Submitter: submitter, ReceivedAt: received,
		Status: models.ObjectionOpen, RecordedBy: p.Username, CreatedAt: now, UpdatedAt: now}
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		switch in.Kind {
		case models.ObjectionMemberList:
			if g.PublishedAt == nil {
				return app.Fail(app.EConflict, "err.formation.the_member_list_is_not_published")
			}
		case models.ObjectionCandidateList:
			var l models.CandidateList
			res := tx.Where("group_id = ? AND status = ?", g.ID, models.ListCurrent).Limit(1).Find(&l)
			if res.Error != nil {
				return fmt.Errorf("reading candidate list: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return app.Fail(app.EConflict, "err.formation.the_candidate_list_is_not_published")
			}
			o.CandidateListID = ptr(l.ID)
		default:
			return app.Invalid("kind", "异议类型须为 member_list 或 candidate_list")
		}
		if in.CandidateID != 0 {
			var c models.Candidate
			if err := tx.Where("id = ? AND group_id = ?", in.CandidateID, g.ID).First(&c).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return app.Invalid("candidate_id", "该小组没有这名候选人")
				}
				return fmt.Errorf("reading candidate: %w", err)
			}
			o.CandidateID = ptr(c.ID)
		}
		if err := tx.Create(&o).Error; err != nil {
			return fmt.Errorf("recording objection: %w", err)
		}
		return record(ctx, tx, p, e, "formation.objection.add", "formation_objection", o.ID, map[string]any{"kind": o.Kind, "group_id": g.ID})
	}))
	if err != nil {
		return 0, err
	}
	return o.ID, nil
}

// AnswerObjection records the answer to an objection. Objections to the member list are
// answered by the street office; objections to the candidate list by the group, and the
// answer is published with the list. A change that follows from it means the list is
// published again.
func (s *Service) AnswerObjection(ctx context.Context, p app.Principal, objectionID int64, answer string) error {
	var o models.FormationObjection
	if err := s.db.WithContext(ctx).First(&o, objectionID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return app.Fail(app.ENotFound, "err.formation.no_such_objection")
		}
		return app.Internal(err)
	}
	act := actWork
	if o.Kind == models.ObjectionMemberList {
		act = actCompose
	}
	g, e, _, err := s.groupForChange(ctx, p, o.GroupID, act)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			err = app.Fail(app.ENotFound, "err.formation.no_such_objection")
		}
		return err
	}
	answer, err = text("answer", answer, 1, 2000, app.M("err.formation.label_answer"))
	if err != nil {
		return err
	}
	if o.Status == models.ObjectionAnswered {
		return app.Fail(app.EConflict, "err.formation.already_answered")
	}
	now := s.clock()
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.FormationObjection{}).Where("id = ? AND status = ?", o.ID, models.ObjectionOpen).Updates(map[string]any{
			"status": models.ObjectionAnswered, "answer": answer, "answered_at": now, "answered_by": p.Username, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("answering objection: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.formation.already_answered")
		}
		return record(ctx, tx, p, e, "formation.objection.answer", "formation_objection", o.ID, map[string]any{"group_id": g.ID})
	}))
}

// ObjectionView is an objection with its labels.
type ObjectionView struct {
	models.FormationObjection
	KindLabel     string
	CandidateName string
}

// objections lists a group's objections.
func (s *Service) objections(ctx context.Context, groupID int64) ([]ObjectionView, error) {
	list, err := models.GroupObjections(ctx, s.db, groupID)
	if err != nil {
		return nil, app.Internal(err)
	}
	names := map[int64]string{}
	cands, err := models.GroupCandidates(ctx, s.db, groupID)
	if err != nil {
		return nil, app.Internal(err)
	}
	for _, c := range cands {
		names[c.ID] = c.Name
	}
	out := make([]ObjectionView, 0, len(list))
	for _, o := range list {
		v := ObjectionView{FormationObjection: o, KindLabel: ObjectionKindLabel(o.Kind)}
		if o.CandidateID != nil {
			v.CandidateName = names[*o.CandidateID]
		}
		out = append(out, v)
	}
	return out, nil
}
