package committee

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/models"
)

// CessationInput records an automatic cessation (BJ 46 ¶1, HZ 32).
type CessationInput struct {
	MemberID    int64
	Reason      string // resignation, not_owner, inability, criminal
	EffectiveOn string // YYYY-MM-DD, the day the fact occurred
	Facts       string
}

// Cessation records that a member's membership ended by itself on its date: it takes
// effect at once, is announced (change-of-members notice), the first alternate takes
// the seat, and it is listed for the next assembly's confirmation.
func (s *Service) Cessation(ctx context.Context, p app.Principal, committeeID int64, in CessationInput) (int64, error) {
	if err := access.Require(p, access.CaseReport); err != nil {
		return 0, err
	}
	c, _, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return 0, err
	}
	if err := s.forChange(ctx, p, c.EstateID, errNoCommittee); err != nil {
		return 0, err
	}
	if !slices.Contains(CessationReasons, in.Reason) {
		return 0, app.Invalid("reason", app.M("err.committee.unknown_reason"))
	}
	// A member's own resignation may be recorded by the committee; any other reason ends
	// a colleague's membership and is for those who verify cases (street office,
	// community), never for the committee alone.
	if in.Reason != "resignation" {
		if err := access.Require(p, access.CaseVerify); err != nil {
			return 0, err
		}
	}
	facts, err := cleanText("facts", in.Facts, true, 5000)
	if err != nil {
		return 0, err
	}
	now := s.now()
	when, err := effectiveDay(in.EffectiveOn, now)
	if err != nil {
		return 0, err
	}
	m, err := s.serving(s.db.WithContext(ctx), c.ID, in.MemberID)
	if err != nil {
		return 0, err
	}
	k := models.CommitteeCase{CommitteeID: c.ID, EstateID: c.EstateID, MemberID: m.ID, Kind: models.CaseCessation, CessationReason: in.Reason,
		Facts: facts, ReporterKind: ReporterStreet, ReportedAt: now, ReportedBy: p.Username, Status: models.CaseCeased, CreatedAt: now, UpdatedAt: now}
	if p.Role == app.RoleCommittee {
		k.ReporterKind = ReporterMember
	} else if p.Role == app.RoleCommunity {
		k.ReporterKind = ReporterCommunity
	}
	eff := in.EffectiveOn
	k.EffectiveOn = &eff
	plan, err := s.planEnd(ctx, m, CessationLabel(in.Reason), fmt.Sprintf("committee-member:%d:cessation", m.ID), when)
	if err != nil {
		return 0, err
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		k.ID = 0
		if err := tx.Create(&k).Error; err != nil {
			return fmt.Errorf("creating cessation: %w", err)
		}
		if err := event(tx, k.ID, "ceased", when, p.Username, CessationLabel(in.Reason)+"："+facts, nil, now); err != nil {
			return err
		}
		if err := tx.Model(&models.CommitteeCase{}).Where("id = ?", k.ID).Update("closed_at", when).Error; err != nil {
			return err
		}
		return s.applyEnd(ctx, tx, p, plan, k.ID, CessationLabel(in.Reason), when, now)
	})
	if err != nil {
		return 0, err
	}
	return k.ID, nil
}

// effectiveDay reads the day a cessation took effect: not after today (Shanghai).
func effectiveDay(v string, now time.Time) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), shanghai())
	if err != nil {
		return time.Time{}, app.Invalid("effective_on", app.M("err.committee.a_date_yyyy_mm_dd"))
	}
	if day(t) > day(now) {
		return time.Time{}, app.Invalid("effective_on", app.M("err.committee.cannot_lie_in_the_future"))
	}
	return t.UTC(), nil
}

// RosterImported checks, after a roster import (roster.ImportObserver), every serving
// member and alternate of the estate's committee against the new roster: one whose room
// no longer lists them as an owner gets a pending cessation ("not_owner") for the street
// office to confirm. It returns one line per member found, for the import result.
func (s *Service) RosterImported(ctx context.Context, p app.Principal, estateID int64) ([]string, error) {
	live, err := models.LiveCommittees(ctx, s.db, []int64{estateID})
	if err != nil {
		return nil, err
	}
	c, ok := live[estateID]
	if !ok || c.Status == models.CommitteeForming {
		return nil, nil
	}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var notes []string
	for _, m := range members {
		if m.Status != models.SeatServing || m.Room == "" {
			continue
		}
		names, found, err := models.UnitOwnerNames(ctx, s.db, estateID, m.Room)
		if err != nil {
			return notes, err
		}
		if found && slices.Contains(names, m.Name) {
			continue
		}
		var open int64
		if err := s.db.WithContext(ctx).Model(&models.CommitteeCase{}).Where("member_id = ? AND kind = ? AND status = ?", m.ID,
			models.CaseCessation, models.CasePending).Count(&open).Error; err != nil {
			return notes, err
		}
		if open > 0 {
			// msgconv:keep: the import notices are JSON text of the roster API (notices) (known debt)
			notes = append(notes, fmt.Sprintf("业主委员会%s %s 不再登记为该房屋业主，资格终止待街道确认（已有待确认记录）/ %s is no longer listed as owner of %s", memberLabel(m), m.Room, m.Name, m.Room))
			continue
		}
		today := day(now)
		k := models.CommitteeCase{CommitteeID: c.ID, EstateID: estateID, MemberID: m.ID, Kind: models.CaseCessation, CessationReason: "not_owner",
			Facts: fmt.Sprintf("新导入的名册中，房屋 %s 的业主不再包括 %s。", m.Room, m.Name), ReporterKind: ReporterRoster, ReportedAt: now,
			ReportedBy: p.Username, Status: models.CasePending, EffectiveOn: &today, CreatedAt: now, UpdatedAt: now}
		due := deadline(now, DeadlinesFor(c.ProfileCode).VerifyDays)
		k.VerifyDue = &due
		err = s.inTx(ctx, func(tx *gorm.DB) error {
			k.ID = 0
			if err := tx.Create(&k).Error; err != nil {
				return fmt.Errorf("opening cessation: %w", err)
			}
			if err := event(tx, k.ID, "roster_detected", now, p.Username, k.Facts, nil, now); err != nil {
				return err
			}
			return record(ctx, tx, p, estateID, "committee.cessation.detected", k.ID, map[string]any{"member_id": m.ID, "room": m.Room})
		})
		if err != nil {
			return notes, err
		}
		// msgconv:keep: the import notices are JSON text of the roster API (notices) (known debt)
		notes = append(notes, fmt.Sprintf("业主委员会%s %s 不再登记为该房屋业主，已提请街道确认其资格终止（案件 #%d）/ %s is no longer listed as owner of %s: cessation case #%d opened",
			memberLabel(m), m.Room, k.ID, m.Name, m.Room, k.ID))
	}
	return notes, nil
}

// ConfirmInput is the street office's decision on a detected cessation.
type ConfirmInput struct {
	Confirm     *bool
	EffectiveOn string // the day the member stopped being an owner (default: the day detected)
	Reasons     string
}

// ConfirmCessation confirms (the cessation takes effect, as Cessation) or dismisses a
// cessation detected by a roster import.
func (s *Service) ConfirmCessation(ctx context.Context, p app.Principal, caseID int64, in ConfirmInput) error {
	if err := access.Require(p, access.CaseVerify); err != nil {
		return err
	}
	k, _, err := s.caseOf(ctx, p, caseID)
	if err != nil {
		return err
	}
	if err := s.forChange(ctx, p, k.EstateID, errNoCase); err != nil {
		return err
	}
	if in.Confirm == nil {
		return app.Invalid("confirm", app.M("err.committee.confirm_required"))
	}
	reasons, err := cleanText("reasons", in.Reasons, !*in.Confirm, 5000)
	if err != nil {
		return err
	}
	if k.Kind != models.CaseCessation || k.Status != models.CasePending {
		return app.Fail(app.EConflict, "err.committee.nothing_to_confirm")
	}
	now := s.now()
	if !*in.Confirm {
		return s.inTx(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&models.CommitteeCase{}).Where("id = ? AND status = ?", k.ID, models.CasePending).Updates(map[string]any{
				"status": models.CaseDismissed, "verified_at": now, "verified_by": p.Username, "verification_reasons": reasons, "closed_at": now, "updated_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return app.Fail(app.EConflict, "err.committee.changed_meanwhile")
			}
			if err := event(tx, k.ID, "dismissed", now, p.Username, reasons, nil, now); err != nil {
				return err
			}
			return record(ctx, tx, p, k.EstateID, "committee.cessation.dismissed", k.ID, map[string]any{"reasons": reasons})
		})
	}
	eff := *k.EffectiveOn
	if strings.TrimSpace(in.EffectiveOn) != "" {
		eff = strings.TrimSpace(in.EffectiveOn)
	}
	when, err := effectiveDay(eff, now)
	if err != nil {
		return err
	}
	m, err := models.FindCommitteeMemberByID(ctx, s.db, k.MemberID)
	if err != nil {
		return app.Internal(err)
	}
	if m.Status != models.SeatServing {
		return app.Invalid("member_id", app.M("err.committee.the_member_is_no_longer_serving"))
	}
	plan, err := s.planEnd(ctx, m, CessationLabel(k.CessationReason), fmt.Sprintf("committee-member:%d:cessation", m.ID), when)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.CommitteeCase{}).Where("id = ? AND status = ?", k.ID, models.CasePending).Updates(map[string]any{
			"status": models.CaseCeased, "verified_at": now, "verified_by": p.Username, "verification_reasons": reasons, "effective_on": eff,
			"closed_at": when, "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.committee.changed_meanwhile")
		}
		if err := event(tx, k.ID, "ceased", when, p.Username, "街道确认："+CessationLabel(k.CessationReason)+" "+reasons, nil, now); err != nil {
			return err
		}
		return s.applyEnd(ctx, tx, p, plan, k.ID, CessationLabel(k.CessationReason), when, now)
	})
}

// AssemblyConfirmation records that an assembly vote confirmed a cessation (BJ 46 ¶1).
func (s *Service) AssemblyConfirmation(ctx context.Context, p app.Principal, caseID int64, voteID int64, note string) error {
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
	if voteID <= 0 {
		return app.Invalid("vote_id", app.M("err.committee.vote_id_required"))
	}
	var v models.Vote
	if err := s.db.WithContext(ctx).Where("id = ? AND estate_id = ?", voteID, k.EstateID).Take(&v).Error; err != nil {
		return app.Invalid("vote_id", app.M("err.committee.no_such_vote_of_this_estate"))
	}
	if !v.Published() {
		return app.Invalid("vote_id", app.M("err.committee.the_vote_s_result_is_not_published"))
	}
	if k.Kind != models.CaseCessation || k.Status != models.CaseCeased || k.ConfirmedAt != nil {
		return app.Fail(app.EConflict, "err.committee.nothing_awaits_confirmation")
	}
	note, err = cleanText("note", note, false, 2000)
	if err != nil {
		return err
	}
	now := s.now()
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.CommitteeCase{}).Where("id = ?", k.ID).Updates(map[string]any{"confirmed_at": now, "confirmed_by": p.Username, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := event(tx, k.ID, "assembly_confirmed", now, p.Username, fmt.Sprintf("第 %d 号表决 %s", v.ID, note), nil, now); err != nil {
			return err
		}
		return record(ctx, tx, p, k.EstateID, "committee.cessation.confirmed", k.ID, map[string]any{"vote_id": v.ID})
	})
}
