package voting

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// The forms of an assembly meeting (REG 12).
const (
	FormWritten = "written" // 书面征求意见
	FormMeeting = "meeting" // 集体讨论
)

// The convenors of an assembly meeting.
const (
	ConvenorCommittee        = "committee"         // 业主委员会
	ConvenorPreparatoryGroup = "preparatory_group" // 首次业主大会筹备组
	ConvenorReelectionGroup  = "reelection_group"  // 换届小组
	ConvenorStreetOffice     = "street_office"     // 街道办事处 / 乡镇人民政府
	// ConvenorTransitionalBody is the estate's acting transitional body (物业管理委员会, issue
	// 12, HZ 40): allowed only while one acts.
	ConvenorTransitionalBody = "transitional_body"
)

// ConvenorLabel is the Chinese name of a convenor.
func ConvenorLabel(c string) string {
	switch c {
	case ConvenorCommittee:
		return "业主委员会"
	case ConvenorPreparatoryGroup:
		return "筹备组"
	case ConvenorReelectionGroup:
		return "换届小组"
	case ConvenorStreetOffice:
		return "街道办事处"
	case ConvenorTransitionalBody:
		return "物业管理委员会（过渡）"
	}
	return c
}

// FormLabel is the Chinese name of a meeting form.
func FormLabel(f string) string {
	switch f {
	case FormWritten:
		return "书面征求意见"
	case FormMeeting:
		return "集体讨论"
	}
	return f
}

// NewVote is the input for drafting a vote. NoticePublishedAt may lie in the past (a
// paper notice posted earlier); OpensAt must be at least the profile's notice days
// after it, and the voting period within the profile's bounds.
type NewVote struct {
	Title             string
	LegalProfile      string // civil-code-2021 (default) or property-law-2007
	Form              string // written or meeting
	Convenor          string // committee (default), preparatory_group, reelection_group, street_office
	Location          string // where a meeting is held or ballots are collected
	NoticePublishedAt time.Time
	OpensAt           time.Time
	ClosesAt          time.Time
	FollowMajority    bool // 从众 (T2): only where the profile allows the rules of procedure to enable it
	Items             []ItemInput
}

// Create drafts a vote of an estate with its agenda and returns its id.
func (s *Service) Create(ctx context.Context, p app.Principal, estateID int64, in NewVote) (int64, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	prof, ok := rules.ProfileByCode(e.ProfileCode)
	if !ok {
		return 0, app.Internal(fmt.Errorf("estate %d has unknown profile %q", e.ID, e.ProfileCode))
	}
	now := s.now()
	var d details
	if in.LegalProfile == "" {
		in.LegalProfile = string(rules.DefaultLegalProfile)
	}
	if !rules.LegalProfile(in.LegalProfile).Valid() {
		d.add("legal_profile", app.M("err.voting.must_be_civil_code_2021_or_property_law_2007"))
	}
	if err := s.validateMeeting(ctx, &d, e, prof, &in, now); err != nil {
		return 0, app.Internal(err)
	}
	items, err := validateItems(&d, in.Items, prof, func() (rules.EstateSize, error) { return s.households(ctx, estateID) }, s.removalChecker(ctx, estateID))
	if err != nil {
		return 0, app.Internal(err)
	}
	if err := s.checkPropertyLinks(ctx, &d, estateID, items); err != nil {
		return 0, app.Internal(err)
	}
	if err := d.err(); err != nil {
		return 0, err
	}

	v := models.Vote{
		EstateID: estateID, Title: in.Title, LegalProfile: in.LegalProfile, ProfileCode: prof.Code, ProfileVersion: prof.Version,
		Form: in.Form, Convenor: in.Convenor, Location: in.Location,
		NoticePublishedAt: in.NoticePublishedAt.UTC().Truncate(time.Microsecond),
		OpensAt:           in.OpensAt.UTC().Truncate(time.Microsecond),
		ClosesAt:          in.ClosesAt.UTC().Truncate(time.Microsecond),
		FollowMajority:    in.FollowMajority, State: models.VoteDraft, AgendaRevision: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	if p.UserID != 0 {
		uid := p.UserID
		v.CreatedBy = &uid
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&v).Error; err != nil {
			return fmt.Errorf("creating vote: %w", err)
		}
		if err := insertAgenda(ctx, tx, v.ID, 1, items); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.create", TargetType: "vote", TargetID: v.ID, EstateID: estateID,
			Detail: map[string]any{"title": v.Title, "legal_profile": v.LegalProfile, "profile": prof.Code + "@" + prof.Version,
				"items": len(items), "opens_at": v.OpensAt, "closes_at": v.ClosesAt}})
	})
	if err != nil {
		return 0, app.AsErrorOrNil(err)
	}
	return v.ID, nil
}

// validateSchedule checks the notice lead (REG 14) and the voting period (HZ 20).
func validateSchedule(d *details, prof rules.JurisdictionProfile, notice, opens, closes, now time.Time) {
	if notice.IsZero() {
		d.add("notice_published_at", app.M("err.voting.required"))
	}
	if opens.IsZero() {
		d.add("opens_at", app.M("err.voting.required"))
	}
	if closes.IsZero() {
		d.add("closes_at", app.M("err.voting.required"))
	}
	if notice.IsZero() || opens.IsZero() || closes.IsZero() {
		return
	}
	if !rules.NoticeLeadSatisfied(notice, opens, prof.NoticeDays) {
		d.add("opens_at", app.M("err.voting.opening_must_be_at_least_days_after_the_notice", notice.In(rules.Shanghai()).Format("2006-01-02"), prof.NoticeDays, notice.In(rules.Shanghai()).AddDate(0, 0, prof.NoticeDays).Format("2006-01-02")))
	}
	if err := rules.VotingPeriodAllowed(opens, closes, prof); err != nil {
		d.add("closes_at", app.MsgOf(err))
	} else if !closes.After(now) {
		d.add("closes_at", app.M("err.voting.the_closing_time_has_passed"))
	}
}

// households is the size of the estate's roster that decides a lawful committee
// (docs/rules.md §5): its units and their total area, parking spaces excluded.
func (s *Service) households(ctx context.Context, estateID int64) (rules.EstateSize, error) {
	stats, err := models.UnitStats(ctx, s.db, []int64{estateID})
	if err != nil {
		return rules.EstateSize{}, err
	}
	return rules.EstateSize{Households: stats[estateID].Units, Area: rules.Area(stats[estateID].TotalArea)}, nil
}

// errAgendaFrozen is the answer to any change of the agenda after the notice (T3).
func errAgendaFrozen(v models.Vote) error {
	return app.Fail(app.EConflict, "err.voting.the_notice_was_published_no_item_may_be_added", showTime(v.NoticePublishedAt))
}

// agendaEditable reports whether the agenda of v may still change at now: a draft whose
// notice has not yet been published.
func agendaEditable(v models.Vote, now time.Time) bool {
	return v.State == models.VoteDraft && now.Before(v.NoticePublishedAt)
}

// UpdateItems replaces the agenda of a draft whose notice is not yet published and
// returns the new agenda revision. Earlier revisions are kept.
func (s *Service) UpdateItems(ctx context.Context, p app.Principal, voteID int64, items []ItemInput) (int, error) {
	return s.changeAgenda(ctx, p, voteID, "vote.items.update", func(current []ItemInput) []ItemInput { return items })
}

// AddItem appends one item to the agenda of a draft whose notice is not yet published
// and returns the new agenda revision.
func (s *Service) AddItem(ctx context.Context, p app.Principal, voteID int64, item ItemInput) (int, error) {
	return s.changeAgenda(ctx, p, voteID, "vote.items.add", func(current []ItemInput) []ItemInput {
		return append(current, item)
	})
}

// changeAgenda writes a new agenda revision built by change from the current one.
func (s *Service) changeAgenda(ctx context.Context, p app.Principal, voteID int64, action string, change func([]ItemInput) []ItemInput) (int, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return 0, err
	}
	if !agendaEditable(v, s.now()) {
		return 0, errAgendaFrozen(v)
	}
	prof := profileOf(v)
	rows, cands, err := models.AgendaItems(ctx, s.db, v.ID, v.AgendaRevision)
	if err != nil {
		return 0, app.Internal(err)
	}
	current := make([]ItemInput, 0, len(rows))
	for _, r := range rows {
		it := ItemInput{Key: r.ItemKey, Title: r.Title, Text: r.Body, Matter: r.Matter, Seats: r.Seats, Alternates: r.Alternates,
			ByElection: r.ByElection, VacantSeats: r.VacantSeats, ContractID: r.ContractID, CompanyID: r.CompanyID}
		if r.RemovalCaseID != nil {
			it.RemovalCaseID = *r.RemovalCaseID
		}
		for _, c := range cands[r.ID] {
			it.Candidates = append(it.Candidates, CandidateInput{Key: c.CandidateKey, Name: c.Name})
		}
		current = append(current, it)
	}
	var d details
	items, err := validateItems(&d, change(current), prof, func() (rules.EstateSize, error) { return s.households(ctx, v.EstateID) }, s.removalChecker(ctx, v.EstateID))
	if err != nil {
		return 0, app.Internal(err)
	}
	if err := s.checkPropertyLinks(ctx, &d, v.EstateID, items); err != nil {
		return 0, app.Internal(err)
	}
	if err := d.err(); err != nil {
		return 0, err
	}
	next := v.AgendaRevision + 1
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		if !agendaEditable(v, now) {
			return errAgendaFrozen(v)
		}
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ? AND agenda_revision = ?", v.ID, models.VoteDraft, v.AgendaRevision).
			Updates(map[string]any{"agenda_revision": next, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("advancing agenda revision: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			cur, err := models.FindVote(ctx, tx, v.ID)
			if err != nil {
				return err
			}
			if !agendaEditable(cur, now) {
				return errAgendaFrozen(cur)
			}
			return app.Fail(app.EConflict, "err.voting.the_agenda_was_changed_meanwhile_reload_and")
		}
		if err := insertAgenda(ctx, tx, v.ID, next, items); err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.voting.the_agenda_was_changed_meanwhile_reload_and")
			}
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: action, TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"agenda_revision": next, "items": len(items)}})
	})
	if err != nil {
		return 0, app.AsErrorOrNil(err)
	}
	return next, nil
}
