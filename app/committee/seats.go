package committee

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/documents"
	"gongzhi/app/pdfdoc"
	"gongzhi/models"
)

// seatPlan is what ending one member will do to the seats, computed before the
// transaction so that the notices can be rendered first.
type seatPlan struct {
	committee models.Committee
	member    models.CommitteeMember
	alternate *models.CommitteeMember // the first alternate, who takes the seat
	serving   int                     // seated members after the change (suspended ones included)
	notice    documents.PreparedNotice
}

// planEnd reads the committee and decides who fills the seat of m. An alternate who
// ends leaves no seat; a member's seat goes to the first serving alternate in order.
func (s *Service) planEnd(ctx context.Context, m models.CommitteeMember, reason, subject string, when time.Time) (seatPlan, error) {
	c, err := models.FindCommittee(ctx, s.db, m.CommitteeID)
	if err != nil {
		return seatPlan{}, app.Internal(err)
	}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return seatPlan{}, app.Internal(err)
	}
	plan := seatPlan{committee: c, member: m}
	for _, x := range members {
		if x.Status != models.SeatServing || x.ID == m.ID {
			continue
		}
		if x.Role != models.RoleAlternate {
			plan.serving++
		} else if m.Role != models.RoleAlternate && plan.alternate == nil && x.SuspendedAt == nil {
			a := x
			plan.alternate = &a
		}
	}
	if plan.alternate != nil {
		plan.serving++
	}
	fields := []pdfdoc.NoticeField{{Label: "终止资格", Value: memberLabel(m) + " " + m.Room}, {Label: "原因", Value: reason},
		{Label: "生效日期", Value: day(when)}}
	title := "业主委员会委员"
	if m.Role == models.RoleAlternate {
		title = "业主委员会候补委员"
	}
	paras := []string{fmt.Sprintf("%s的%s资格自%s起终止。", m.Name, title, day(when))}
	if plan.alternate != nil {
		fields = append(fields, pdfdoc.NoticeField{Label: "递补委员", Value: plan.alternate.Name + " " + plan.alternate.Room})
		paras = append(paras, fmt.Sprintf("依照候补委员的顺序，由候补委员%s递补为业主委员会委员，自%s起履行职责。", plan.alternate.Name, day(when)))
	} else if m.Role != models.RoleAlternate {
		paras = append(paras, "目前没有可递补的候补委员，该席位空缺，可通过补选产生。")
	}
	fields = append(fields, pdfdoc.NoticeField{Label: "在任委员", Value: fmt.Sprintf("%d 人（应选 %d 人）", plan.serving, c.Seats)})
	if 2*plan.serving < c.Seats {
		paras = append(paras, "递补后在任委员人数不足委员总数的二分之一，业主委员会无法正常履行职责，将由街道办事处或居（村）民委员会组织召开业主大会临时会议重新选举业主委员会。")
	}
	paras = append(paras, fmt.Sprintf("业主委员会应于 %s 前向街道办事处办理委员变更备案。", lastDay(deadline(when, DeadlinesFor(c.ProfileCode).ChangeFilingDays))))
	plan.notice, err = s.docs.PrepareCommitteeNotice(ctx, documents.CommitteeNoticeInput{EstateID: c.EstateID, Subject: subject,
		Title: "业主委员会委员变更公告", Fields: fields, Paragraphs: paras,
		Board: fmt.Sprintf("委员%s资格终止（%s）。", m.Name, reason)})
	return plan, err
}

// applyEnd ends the member, seats the alternate, records the changes with their filing
// deadline and flags re-election when 2 × serving < seats (BJ 48). It runs in tx.
func (s *Service) applyEnd(ctx context.Context, tx *gorm.DB, p app.Principal, plan seatPlan, caseID int64, reason string, when, now time.Time) error {
	m := plan.member
	res := tx.Model(&models.CommitteeMember{}).Where("id = ? AND status = ?", m.ID, models.SeatServing).Updates(map[string]any{
		"status": models.SeatEnded, "end_at": when, "end_reason": reason, "suspended_at": nil, "suspended_case_id": nil, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("ending member %d: %w", m.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return app.Invalid("member_id", app.M("err.committee.the_member_is_no_longer_serving"))
	}
	docID, err := s.docs.StoreCommitteeNotice(ctx, tx, p, plan.notice)
	if err != nil {
		return err
	}
	due := deadline(when, DeadlinesFor(plan.committee.ProfileCode).ChangeFilingDays)
	cid := &caseID
	if caseID == 0 {
		cid = nil
	}
	if err := tx.Create(&models.CommitteeChange{CommitteeID: plan.committee.ID, EstateID: plan.committee.EstateID, CaseID: cid, MemberID: m.ID,
		Kind: models.ChangeEnded, At: when, DocumentID: &docID, FilingDue: due, CreatedAt: now}).Error; err != nil {
		return fmt.Errorf("recording change: %w", err)
	}
	if a := plan.alternate; a != nil {
		res := tx.Model(&models.CommitteeMember{}).Where("id = ? AND status = ? AND role = ?", a.ID, models.SeatServing, models.RoleAlternate).
			Updates(map[string]any{"role": models.RoleMember, "seated_at": when, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("seating alternate %d: %w", a.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.committee.the_alternates_changed_meanwhile")
		}
		if err := tx.Create(&models.CommitteeChange{CommitteeID: plan.committee.ID, EstateID: plan.committee.EstateID, CaseID: cid, MemberID: a.ID,
			Kind: models.ChangeSeated, At: when, DocumentID: &docID, FilingDue: due, CreatedAt: now}).Error; err != nil {
			return fmt.Errorf("recording change: %w", err)
		}
	}
	detail := map[string]any{"member_id": m.ID, "reason": reason, "serving": plan.serving, "seats": plan.committee.Seats, "notice": plan.notice.Number()}
	if plan.alternate != nil {
		detail["seated_member_id"] = plan.alternate.ID
	}
	if 2*plan.serving < plan.committee.Seats && plan.committee.ReelectionRequiredAt == nil {
		if err := tx.Model(&models.Committee{}).Where("id = ?", plan.committee.ID).Updates(map[string]any{"reelection_required_at": when, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("flagging re-election: %w", err)
		}
		detail["reelection_required"] = true
	}
	if caseID != 0 {
		note := "变更公告 " + plan.notice.Number()
		if plan.alternate != nil {
			note += "；候补委员" + plan.alternate.Name + "递补"
		}
		if err := event(tx, caseID, "seat_changed", when, p.Username, note, &docID, now); err != nil {
			return err
		}
	}
	return record(ctx, tx, p, plan.committee.EstateID, "committee.member.end", caseID, detail)
}

// CheckRemovalItem answers voting (voting.RemovalCases) whether an agenda item may
// decide the removal on case caseID: a founded (or proposed) removal case of the
// estate whose member still serves.
func (s *Service) CheckRemovalItem(ctx context.Context, estateID, caseID int64) error {
	k, err := models.FindCommitteeCase(ctx, s.db, caseID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && k.EstateID != estateID) {
		return app.Fail(app.EInvalid, "err.committee.no_such_case_of_this_estate")
	}
	if err != nil {
		return app.Internal(fmt.Errorf("reading case %d: %w", caseID, err))
	}
	if k.Kind != models.CaseRemoval || (k.Status != models.CaseFounded && k.Status != models.CaseProposed && k.Status != models.CaseVoting) {
		return app.Fail(app.EInvalid, "err.committee.the_case_is_not_founded")
	}
	m, err := models.FindCommitteeMemberByID(ctx, s.db, k.MemberID)
	if err != nil || m.Status != models.SeatServing {
		return app.Fail(app.EInvalid, "err.committee.the_member_has_already_ended")
	}
	return nil
}

// VoteFinal settles the removal items of a vote whose result just became final
// (voting.FinalListener): a passed item ends the membership and seats the first
// alternate; either way the outcome is announced.
func (s *Service) VoteFinal(ctx context.Context, p app.Principal, voteID int64) error {
	var v models.Vote
	if err := s.db.WithContext(ctx).Where("id = ?", voteID).Take(&v).Error; err != nil {
		return fmt.Errorf("vote %d: %w", voteID, err)
	}
	var items []models.VoteItem
	if err := s.db.WithContext(ctx).Where("vote_id = ? AND revision = ? AND removal_case_id IS NOT NULL", v.ID, v.AgendaRevision).
		Order("position").Find(&items).Error; err != nil {
		return fmt.Errorf("removal items of vote %d: %w", voteID, err)
	}
	var errs []error
	for _, it := range items {
		if err := s.settle(ctx, p, v, it); err != nil {
			errs = append(errs, fmt.Errorf("case %d: %w", *it.RemovalCaseID, err))
		}
	}
	return errors.Join(errs...)
}

// Settle applies the final result of the removal vote of a case, when the automatic
// settlement at finalisation did not (staff retry). A settled case is a conflict.
func (s *Service) Settle(ctx context.Context, p app.Principal, caseID int64) error {
	if err := access.Require(p, access.CaseReport); err != nil {
		return err
	}
	k, _, err := s.caseOf(ctx, p, caseID)
	if err != nil {
		return err
	}
	if err := s.forChange(ctx, p, k.EstateID, errNoCase); err != nil {
		return err
	}
	var items []models.VoteItem
	if err := s.db.WithContext(ctx).Table("vote_items").Joins("JOIN votes ON votes.id = vote_items.vote_id AND votes.agenda_revision = vote_items.revision").
		Where("vote_items.removal_case_id = ? AND votes.state = ?", k.ID, models.VoteFinal).Select("vote_items.*").Order("vote_items.id DESC").Find(&items).Error; err != nil {
		return app.Internal(err)
	}
	if len(items) == 0 {
		return app.Fail(app.EConflict, "err.committee.no_final_removal_vote")
	}
	var v models.Vote
	if err := s.db.WithContext(ctx).Where("id = ?", items[0].VoteID).Take(&v).Error; err != nil {
		return app.Internal(err)
	}
	return s.settle(ctx, p, v, items[0])
}

// settle applies one removal item of a final vote.
func (s *Service) settle(ctx context.Context, p app.Principal, v models.Vote, it models.VoteItem) error {
	if v.State != models.VoteFinal {
		return app.Fail(app.EConflict, "err.committee.the_vote_is_not_final")
	}
	k, err := models.FindCommitteeCase(ctx, s.db, *it.RemovalCaseID)
	if err != nil {
		return app.Internal(err)
	}
	if k.Status == models.CaseRemoved || k.Status == models.CaseRetained {
		return app.Fail(app.EConflict, "err.committee.already_settled")
	}
	rv, err := s.votes.Results(ctx, &p, v.ID)
	if err != nil {
		return err
	}
	if rv.Result == nil {
		return app.Fail(app.EConflict, "err.committee.not_counted")
	}
	ir, ok := rv.Result.Items[it.ItemKey]
	if !ok {
		return app.Internal(fmt.Errorf("vote %d has no result for item %s", v.ID, it.ItemKey))
	}
	m, err := models.FindCommitteeMemberByID(ctx, s.db, k.MemberID)
	if err != nil {
		return app.Internal(err)
	}
	now := s.now()
	when := now
	if v.FinalisedAt != nil {
		when = v.FinalisedAt.UTC()
	}
	figures := fmt.Sprintf("同意 %s 平方米 / %d 人；反对 %s 平方米 / %d 人；弃权 %s 平方米 / %d 人（参与表决 %s 平方米 / %d 人）",
		ir.AgreeArea, ir.AgreeHeadcount, ir.OpposeArea, ir.OpposeHeadcount, ir.AbstainArea, ir.AbstainHeadcount,
		rv.Result.ParticipatingArea, rv.Result.ParticipatingHeadcount)
	outcome := models.OutcomeKept
	text := fmt.Sprintf("业主大会表决未通过终止%s的委员资格，其恢复履行职责。", m.Name)
	if ir.Passed {
		outcome = models.OutcomeRemoved
		text = fmt.Sprintf("业主大会表决通过，终止%s的业主委员会委员资格。", m.Name)
	}
	announce, err := s.docs.PrepareCommitteeNotice(ctx, documents.CommitteeNoticeInput{EstateID: k.EstateID,
		Subject: fmt.Sprintf("committee-case:%d:outcome", k.ID), Title: "业主大会罢免业主委员会委员结果公告",
		Fields: []pdfdoc.NoticeField{{Label: "委员", Value: memberLabel(m) + " " + m.Room}, {Label: "情形", Value: groundsText(splitGrounds(k.Grounds))},
			{Label: "表决", Value: fmt.Sprintf("第 %d 号表决「%s」", v.ID, v.Title)}, {Label: "事项", Value: it.Title}, {Label: "表决规则", Value: ir.Rule},
			{Label: "表决结果", Value: figures}, {Label: "结果", Value: map[bool]string{true: "通过", false: "未通过"}[ir.Passed]}},
		Paragraphs: []string{text}, Board: text})
	if err != nil {
		return err
	}
	var plan seatPlan
	if ir.Passed {
		if plan, err = s.planEnd(ctx, m, "业主大会罢免", fmt.Sprintf("committee-case:%d:change", k.ID), when); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.CommitteeCase{}).Where("id = ? AND status IN ?", k.ID, []string{models.CaseFounded, models.CaseProposed, models.CaseVoting}).
			Updates(map[string]any{"status": outcome, "outcome": outcome, "outcome_at": when, "removal_vote_id": v.ID, "closed_at": when, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("settling case %d: %w", k.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.committee.already_settled")
		}
		docID, err := s.docs.StoreCommitteeNotice(ctx, tx, p, announce)
		if err != nil {
			return err
		}
		if err := tx.Model(&models.CommitteeCase{}).Where("id = ?", k.ID).Update("outcome_doc_id", docID).Error; err != nil {
			return fmt.Errorf("linking outcome notice: %w", err)
		}
		if err := event(tx, k.ID, "vote_"+outcome, when, p.Username, figures+"；公告 "+announce.Number(), &docID, now); err != nil {
			return err
		}
		if !ir.Passed {
			if err := tx.Model(&models.CommitteeMember{}).Where("id = ? AND suspended_case_id = ?", m.ID, k.ID).
				Updates(map[string]any{"suspended_at": nil, "suspended_case_id": nil, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("lifting suspension: %w", err)
			}
			return record(ctx, tx, p, k.EstateID, "committee.case.retained", k.ID, map[string]any{"vote_id": v.ID})
		}
		if err := record(ctx, tx, p, k.EstateID, "committee.case.removed", k.ID, map[string]any{"vote_id": v.ID}); err != nil {
			return err
		}
		return s.applyEnd(ctx, tx, p, plan, k.ID, "业主大会罢免", when, now)
	})
}
