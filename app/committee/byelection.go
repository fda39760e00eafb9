package committee

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/database"
	"gongzhi/app/documents"
	"gongzhi/app/formation"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// RecordByElection records a counted by-election item (an elect_committee item with
// by_election and vacant_seats, created through the ordinary vote path) into the estate's
// committee in office: the elected fill vacant seats, the qualified but not elected join
// the alternates after the existing ones (up to the profile's number), the change is
// announced and due for filing, and the re-election flag is lifted once 2 × serving ≥
// seats. More elected than vacant seats, or an item that is not a by-election, is refused.
func (s *Service) RecordByElection(ctx context.Context, p app.Principal, voteID int64, itemKey string) (int64, error) {
	if err := access.Require(p, access.ReelectionElection); err != nil {
		return 0, err
	}
	if itemKey == "" {
		itemKey = "committee"
	}
	var v models.Vote
	if err := s.db.WithContext(ctx).Where("id = ?", voteID).Take(&v).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, app.Fail(app.ENotFound, "err.committee.no_such_vote")
		}
		return 0, app.Internal(err)
	}
	if err := s.forChange(ctx, p, v.EstateID, app.Fail(app.ENotFound, "err.committee.no_such_vote")); err != nil {
		return 0, err
	}
	var item models.VoteItem
	res := s.db.WithContext(ctx).Where("vote_id = ? AND revision = ? AND item_key = ?", v.ID, v.AgendaRevision, itemKey).Limit(1).Find(&item)
	if res.Error != nil {
		return 0, app.Internal(res.Error)
	}
	if res.RowsAffected == 0 || item.Matter != string(rules.MatterElectCommittee) || !item.ByElection || item.RemovalCaseID != nil {
		return 0, app.Invalid("item_key", app.M("err.committee.the_vote_has_no_by_election_item", itemKey))
	}
	if !v.Published() {
		return 0, app.Fail(app.EConflict, "err.committee.the_result_is_not_published_yet")
	}
	rv, err := s.votes.Results(ctx, &p, v.ID)
	if err != nil {
		return 0, err
	}
	if rv.Result == nil {
		return 0, app.Fail(app.EConflict, "err.committee.not_counted")
	}
	er, ok := rv.Result.Elections[itemKey]
	if !ok {
		return 0, app.Invalid("item_key", app.M("err.committee.the_vote_has_no_by_election_item", itemKey))
	}
	var seen int64
	if err := s.db.WithContext(ctx).Model(&models.CommitteeElection{}).Where("vote_id = ? AND item_key = ?", v.ID, itemKey).Count(&seen).Error; err != nil {
		return 0, app.Internal(err)
	}
	if seen > 0 {
		return 0, app.Fail(app.EConflict, "err.committee.already_recorded")
	}
	live, err := models.LiveCommittees(ctx, s.db, []int64{v.EstateID})
	if err != nil {
		return 0, app.Internal(err)
	}
	c, ok := live[v.EstateID]
	if !ok || (c.Status != models.CommitteeFormed && c.Status != models.CommitteeFiled) {
		return 0, app.Fail(app.EConflict, "err.committee.no_committee_in_office")
	}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return 0, app.Internal(err)
	}
	serving, alternates, lastRank := 0, 0, 0
	for _, m := range members {
		if m.Status != models.SeatServing {
			continue
		}
		if m.Role == models.RoleAlternate {
			alternates++
			lastRank = max(lastRank, m.ElectionRank)
		} else {
			serving++
		}
	}
	vacant := c.Seats - serving
	if len(er.Elected) > vacant || er.Seats > vacant {
		return 0, app.Invalid("seats", app.M("err.committee.more_seats_than_vacancies", er.Seats, vacant))
	}
	type person struct {
		candidateID *int64
		name, room  string
	}
	who := func(key string) person {
		out := person{name: er.Candidates[key].Name}
		if id, ok := formation.CandidateIDOfKey(key); ok {
			var cand models.Candidate
			if s.db.WithContext(ctx).Where("id = ? AND estate_id = ?", id, v.EstateID).Limit(1).Find(&cand).RowsAffected > 0 {
				out = person{candidateID: &cand.ID, name: cand.Name, room: cand.Room}
			}
		}
		return out
	}
	now := s.now()
	var names []string
	for _, k := range er.Elected {
		names = append(names, who(k).name)
	}
	after := serving + len(er.Elected)
	notice, err := s.docs.PrepareCommitteeNotice(ctx, documents.CommitteeNoticeInput{EstateID: v.EstateID,
		Subject: fmt.Sprintf("committee-byelection:%d:%s", v.ID, itemKey), Title: "业主委员会委员变更公告",
		Fields: []pdfdoc.NoticeField{{Label: "补选表决", Value: fmt.Sprintf("第 %d 号表决「%s」", v.ID, v.Title)},
			{Label: "当选委员", Value: strings.Join(names, "、")}, {Label: "在任委员", Value: fmt.Sprintf("%d 人（应选 %d 人）", after, c.Seats)}},
		Paragraphs: []string{fmt.Sprintf("经业主大会补选，%s当选为业主委员会委员。", strings.Join(names, "、")),
			fmt.Sprintf("业主委员会应于 %s 前向街道办事处办理委员变更备案。", lastDay(deadline(now, DeadlinesFor(c.ProfileCode).ChangeFilingDays)))},
		Board: "补选当选：" + strings.Join(names, "、")})
	if err != nil {
		return 0, err
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		el := models.CommitteeElection{CommitteeID: c.ID, EstateID: c.EstateID, VoteID: v.ID, ItemKey: itemKey, Kind: models.ElectionBy, Seats: er.Seats,
			ElectedCount: len(er.Elected), AlternatesCount: len(er.Alternates), Runoff: strings.Join(er.Runoff, ","), VacantSeats: er.VacantSeats,
			CommitteeFormed: true, InvalidBallots: er.InvalidBallots, Rule: er.Rule, RecordedBy: p.Username, RecordedAt: now}
		if err := tx.Create(&el).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.committee.already_recorded")
			}
			return fmt.Errorf("recording by-election: %w", err)
		}
		docID, err := s.docs.StoreCommitteeNotice(ctx, tx, p, notice)
		if err != nil {
			return err
		}
		due := deadline(now, DeadlinesFor(c.ProfileCode).ChangeFilingDays)
		add := func(key, role string, rank int) error {
			w := who(key)
			cr := er.Candidates[key]
			area, _ := rules.ParseArea(cr.AgreeArea)
			m := models.CommitteeMember{CommitteeID: c.ID, ElectionID: el.ID, VoteID: v.ID, CandidateID: w.candidateID, CandidateKey: key, Name: w.name,
				Room: w.room, Role: role, ElectionRank: rank, AgreeHeadcount: cr.AgreeHeadcount, AgreeArea: int64(area), Status: models.SeatServing,
				StartAt: now, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&m).Error; err != nil {
				return fmt.Errorf("adding member: %w", err)
			}
			if role == models.RoleAlternate {
				return nil
			}
			return tx.Create(&models.CommitteeChange{CommitteeID: c.ID, EstateID: c.EstateID, MemberID: m.ID, Kind: models.ChangeSeated, At: now,
				DocumentID: &docID, FilingDue: due, CreatedAt: now}).Error
		}
		for i, k := range er.Elected {
			if err := add(k, models.RoleMember, cr(er, k, i)); err != nil {
				return err
			}
		}
		for _, k := range er.Alternates {
			if c.AlternatesMax >= 0 && alternates >= c.AlternatesMax { // < 0: no cap (Hangzhou)
				break
			}
			alternates++
			lastRank++
			if err := add(k, models.RoleAlternate, lastRank); err != nil {
				return err
			}
		}
		if c.ReelectionRequiredAt != nil && 2*after >= c.Seats {
			if err := tx.Model(&models.Committee{}).Where("id = ?", c.ID).Updates(map[string]any{"reelection_required_at": nil, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		return record(ctx, tx, p, c.EstateID, "committee.by_election", 0, map[string]any{"committee_id": c.ID, "vote_id": v.ID, "elected": len(er.Elected),
			"serving": after, "notice": notice.Number()})
	})
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// cr is the rank of an elected candidate: the count's, else the list position.
func cr(er votingElection, key string, i int) int {
	if r := er.Candidates[key].Rank; r > 0 {
		return r
	}
	return i + 1
}

// votingElection is the counted election item of a vote.
type votingElection = voting.ElectionResult
