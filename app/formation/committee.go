package formation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// CandidateRef names the person behind a candidate key of a counted election item: a
// candidate of the estate (as SlateRefs gives them) or, for a vote not built from the
// slate, a name and room only (whose Party membership is then unknown and counted as not).
type CandidateRef struct {
	CandidateID int64
	Name        string
	Room        string
}

// CommitteeStatusLabel is the Chinese name of a committee status.
func CommitteeStatusLabel(status string) string {
	switch status {
	case models.CommitteeForming:
		return "未能足额选出（待决选或补选）"
	case models.CommitteeFormed:
		return "已选出，待备案"
	case models.CommitteeFiled:
		return "已备案"
	case models.CommitteeEnded:
		return "任期已结束"
	}
	return status
}

// MemberRoleLabel is the Chinese name of a committee member's role.
func MemberRoleLabel(role string) string {
	switch role {
	case models.RoleChair:
		return "主任"
	case models.RoleViceChair:
		return "副主任"
	case models.RoleMember:
		return "委员"
	case models.RoleAlternate:
		return "候补委员"
	}
	return role
}

// RecordElection records the committee from one counted election item of a closed vote
// (rules.ElectionResult from rules.Tally): the elected in list order become members and the
// alternates, in rank order, alternate members (候补委员). It returns the committee's id.
//
// When the estate has a committee still forming, the item is its runoff or by-election
// and fills its vacant seats; otherwise it is a full election and starts the next term.
// The seats are checked against the profile (rules.ValidateElectionSeats). The committee is
// formed when no runoff is pending and the members reach the profile's minimum and more
// than half the seats (HZ 27); then the term (TermYears), the re-election start
// (ReelectionLeadMonths before the term ends) and the deadlines for the chair (ChairElectDays)
// and the filing (FilingDays) are set, and the previous term's committee ends. Otherwise
// the committee stays forming, with the runoff or by-election for the vacant seats pending.
// Recording the same vote item twice is a conflict.
func (s *Service) RecordElection(ctx context.Context, p app.Principal, estateID, voteID int64, itemKey string, res rules.ElectionResult,
	candidates map[string]CandidateRef) (int64, error) {
	if err := access.RequireAny(p, access.PrepElection, access.ReelectionElection); err != nil {
		return 0, err // the role first; the group's kind is checked below
	}
	if voteID <= 0 {
		return 0, app.Invalid("vote_id", "缺少表决编号 / vote id required")
	}
	itemKey, err := text("item_key", itemKey, 1, 64, "表决事项编号")
	if err != nil {
		return 0, err
	}
	groupKind := models.GroupKindPrep
	if open, err := models.OpenGroups(ctx, s.db, []int64{estateID}); err != nil {
		return 0, app.Internal(err)
	} else if g, ok := open[estateID]; ok {
		groupKind = g.Kind
	}
	e, prof, err := s.estateForChange(ctx, p, estateID, groupKind, actElection)
	if err != nil {
		return 0, err
	}
	for _, list := range [][]string{res.Elected, res.Runoff, res.Alternates} {
		for _, k := range list {
			ref, ok := candidates[k]
			if !ok || (ref.CandidateID == 0 && strings.TrimSpace(ref.Name) == "") {
				return 0, app.Invalid("candidates", fmt.Sprintf("候选人 %s 缺少姓名或候选人编号 / candidate %s is not described", k, k))
			}
		}
	}
	deliveries, err := models.DeliveryStats(ctx, s.db, []int64{e.ID})
	if err != nil {
		return 0, app.Internal(err)
	}
	households := deliveries[e.ID].Units
	now := s.clock()
	var committeeID int64
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		people, err := resolveRefs(tx, e.ID, candidates, res)
		if err != nil {
			return err
		}
		var seen int64
		if err := tx.Model(&models.CommitteeElection{}).Where("vote_id = ? AND item_key = ?", voteID, itemKey).Count(&seen).Error; err != nil {
			return fmt.Errorf("checking recorded elections: %w", err)
		}
		if seen > 0 {
			return app.Errorf(app.EConflict, "该表决事项的选举结果已记录 / this election item is already recorded")
		}
		var c models.Committee
		found := tx.Where("forming_estate_id = ?", e.ID).Limit(1).Find(&c)
		if found.Error != nil {
			return fmt.Errorf("reading forming committee: %w", found.Error)
		}
		byElection := found.RowsAffected > 0
		kind := models.ElectionFull
		var members []models.CommitteeMember
		if byElection {
			kind = models.ElectionBy
			if members, err = models.CommitteeMembers(ctx, tx, c.ID); err != nil {
				return err
			}
			vacant := c.Seats - countSeated(members)
			if err := rules.ValidateElectionSeats(prof, res.Seats, len(res.Alternates), c.Households, true, vacant); err != nil {
				return app.Invalid("seats", err.Error())
			}
		} else {
			if err := rules.ValidateElectionSeats(prof, res.Seats, len(res.Alternates), households, false, 0); err != nil {
				return app.Invalid("seats", err.Error())
			}
			open, err := models.OpenGroups(ctx, tx, []int64{e.ID})
			if err != nil {
				return err
			}
			c = models.Committee{EstateID: e.ID, Status: models.CommitteeForming, FormingEstateID: ptr(e.ID), Seats: res.Seats,
				MinMembers: prof.MinCommitteeMembers(households), AlternatesMax: prof.AlternatesMax, Households: households,
				FirstElectedAt: now, ProfileCode: prof.Code, ProfileVersion: prof.Version, CreatedAt: now, UpdatedAt: now}
			if g, ok := open[e.ID]; ok {
				c.GroupID = ptr(g.ID)
			}
			if err := tx.Create(&c).Error; err != nil {
				if database.IsDuplicate(err) {
					return app.Errorf(app.EConflict, "该小区已有未组成的业主委员会 / a committee is already forming")
				}
				return fmt.Errorf("creating committee: %w", err)
			}
		}
		el := models.CommitteeElection{CommitteeID: c.ID, EstateID: e.ID, VoteID: voteID, ItemKey: itemKey, Kind: kind, Seats: res.Seats,
			ElectedCount: len(res.Elected), AlternatesCount: len(res.Alternates), Runoff: strings.Join(res.Runoff, ","),
			VacantSeats: res.VacantSeats, CommitteeFormed: res.CommitteeFormed, InvalidBallots: res.InvalidBallots, Rule: res.Rule,
			RecordedBy: p.Username, RecordedAt: now}
		if err := tx.Create(&el).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Errorf(app.EConflict, "该表决事项的选举结果已记录 / this election item is already recorded")
			}
			return fmt.Errorf("recording election: %w", err)
		}
		var rows []models.CommitteeMember
		for _, k := range res.Elected {
			rows = append(rows, memberRow(c.ID, el, k, people[k], models.RoleMember, res.Candidates[k].Rank, res.Candidates[k], now))
		}
		alternates := 0
		for _, m := range members {
			if m.Role == models.RoleAlternate && m.Status == models.SeatServing {
				alternates++
			}
		}
		for _, k := range res.Alternates {
			if alternates >= c.AlternatesMax {
				break
			}
			alternates++
			rows = append(rows, memberRow(c.ID, el, k, people[k], models.RoleAlternate, alternates, res.Candidates[k], now))
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("recording members: %w", err)
			}
		}
		seated := countSeated(members) + len(res.Elected)
		formed := len(res.Runoff) == 0 && seated >= c.MinMembers && 2*seated > c.Seats
		var runoffNames []string
		for _, k := range res.Runoff {
			runoffNames = append(runoffNames, people[k].name)
		}
		updates := map[string]any{"runoff_pending": strings.Join(runoffNames, "\n"), "updated_at": now}
		if formed {
			termEnd := rules.TermEnd(now, prof.TermYears)
			electBy, publishBy, fileBy := rules.ChairDeadlines(now, prof)
			updates = map[string]any{"status": models.CommitteeFormed, "forming_estate_id": nil, "runoff_pending": "",
				"formed_at": now, "term_start": now, "term_end": termEnd, "reelection_start": rules.ReelectionStart(termEnd, prof),
				"chair_elect_by": electBy, "officers_publish_by": publishBy, "filing_due": fileBy, "updated_at": now}
			if err := endPredecessors(tx, e.ID, c.ID, now); err != nil {
				return err
			}
		}
		if err := tx.Model(&models.Committee{}).Where("id = ?", c.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("updating committee: %w", err)
		}
		committeeID = c.ID
		return record(ctx, tx, p, e, "formation.committee.election", "committee", c.ID, map[string]any{
			"vote_id": voteID, "item_key": itemKey, "kind": kind, "elected": len(res.Elected), "alternates": len(res.Alternates),
			"runoff": len(res.Runoff), "formed": formed, "profile": prof.Code + "@" + prof.Version})
	}))
	if err != nil {
		return 0, err
	}
	return committeeID, nil
}

// person is who a candidate key stands for.
type person struct {
	candidateID *int64
	name, room  string
	party       bool
}

// resolveRefs looks up the candidates behind the result's keys; a candidate id must be a
// candidate of the estate.
func resolveRefs(tx *gorm.DB, estateID int64, refs map[string]CandidateRef, res rules.ElectionResult) (map[string]person, error) {
	out := map[string]person{}
	for _, k := range slices.Concat(res.Elected, res.Runoff, res.Alternates) {
		ref := refs[k]
		if ref.CandidateID == 0 {
			out[k] = person{name: strings.TrimSpace(ref.Name), room: strings.TrimSpace(ref.Room)}
			continue
		}
		var c models.Candidate
		if err := tx.Where("id = ? AND estate_id = ?", ref.CandidateID, estateID).First(&c).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, app.Invalid("candidates", fmt.Sprintf("候选人 %s 不是本小区的候选人 / not a candidate of this estate", k))
			}
			return nil, fmt.Errorf("reading candidate %d: %w", ref.CandidateID, err)
		}
		out[k] = person{candidateID: ptr(c.ID), name: c.Name, room: c.Room, party: PoliticalStatus(c.PoliticalStatus).PartyMember()}
	}
	return out, nil
}

func memberRow(committeeID int64, el models.CommitteeElection, key string, who person, role string, rank int, count rules.CandidateResult, now time.Time) models.CommitteeMember {
	return models.CommitteeMember{CommitteeID: committeeID, ElectionID: el.ID, VoteID: el.VoteID, CandidateID: who.candidateID, CandidateKey: key,
		Name: who.name, Room: who.room, Role: role, ElectionRank: rank, PartyMember: who.party, AgreeHeadcount: count.Agree.Headcount,
		AgreeArea: int64(count.Agree.Area), Status: models.SeatServing, StartAt: now, CreatedAt: now, UpdatedAt: now}
}

// countSeated counts the serving members who hold a seat (alternates do not).
func countSeated(members []models.CommitteeMember) int {
	n := 0
	for _, m := range members {
		if m.Status == models.SeatServing && m.Role != models.RoleAlternate {
			n++
		}
	}
	return n
}

// endPredecessors ends the estate's earlier committees when the next one is formed.
func endPredecessors(tx *gorm.DB, estateID, successorID int64, now time.Time) error {
	var old []models.Committee
	if err := tx.Where("estate_id = ? AND id <> ? AND status IN ?", estateID, successorID,
		[]string{models.CommitteeFormed, models.CommitteeFiled}).Find(&old).Error; err != nil {
		return fmt.Errorf("reading previous committees: %w", err)
	}
	for _, c := range old {
		if err := tx.Model(&models.Committee{}).Where("id = ?", c.ID).Updates(map[string]any{"status": models.CommitteeEnded,
			"ended_at": now, "ended_reason": fmt.Sprintf("换届选举产生新一届业主委员会（#%d）", successorID), "updated_at": now}).Error; err != nil {
			return fmt.Errorf("ending committee %d: %w", c.ID, err)
		}
		if err := tx.Model(&models.CommitteeMember{}).Where("committee_id = ? AND status = ?", c.ID, models.SeatServing).
			Updates(map[string]any{"status": models.SeatEnded, "end_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("ending members of committee %d: %w", c.ID, err)
		}
	}
	return nil
}

// committeeForChange loads a committee in the principal's jurisdiction.
func (s *Service) committeeForChange(ctx context.Context, p app.Principal, committeeID int64, act action) (models.Committee, models.EstateWithPath, rules.JurisdictionProfile, error) {
	c, err := models.FindCommittee(ctx, s.db, committeeID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, models.EstateWithPath{}, rules.JurisdictionProfile{}, app.Errorf(app.ENotFound, "业主委员会不存在 / no such committee")
	}
	if err != nil {
		return c, models.EstateWithPath{}, rules.JurisdictionProfile{}, app.Internal(err)
	}
	// A committee's own actions (officers, filing) are allowed by role alone, whatever
	// kind of group formed it.
	e, prof, err := s.estateForChange(ctx, p, c.EstateID, "", act)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			err = app.Errorf(app.ENotFound, "业主委员会不存在 / no such committee")
		}
		return c, e, prof, err
	}
	if p, ok := rules.ProfileByCode(c.ProfileCode); ok {
		prof = p
	}
	return c, e, prof, nil
}

// OfficersInput records the chair and vice-chairs the members elected.
type OfficersInput struct {
	ChairMemberID      int64
	ViceChairMemberIDs []int64
	ElectedAt          *time.Time // nil means now
}

// OfficersResult says whether the election of the officers was late.
type OfficersResult struct {
	Late     bool // after ChairElectDays from the committee's election (BJ 42: 7 days)
	Deadline time.Time
}

// SetOfficers records the chair and vice-chairs elected by the members (BJ 42). The chair
// and vice-chairs must be elected members; an alternate cannot hold office. An election
// after the deadline is recorded and flagged late.
func (s *Service) SetOfficers(ctx context.Context, p app.Principal, committeeID int64, in OfficersInput) (OfficersResult, error) {
	c, e, _, err := s.committeeForChange(ctx, p, committeeID, actOfficers)
	if err != nil {
		return OfficersResult{}, err
	}
	if c.Status != models.CommitteeFormed && c.Status != models.CommitteeFiled {
		return OfficersResult{}, app.Errorf(app.EConflict, "业主委员会尚未组成或已结束 / the committee is not formed")
	}
	if in.ChairMemberID == 0 {
		return OfficersResult{}, app.Invalid("chair_member_id", "请选择主任 / choose the chair")
	}
	now := s.clock()
	at := now
	if in.ElectedAt != nil {
		at = in.ElectedAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, at) > 0 || (c.FormedAt != nil && at.Before(*c.FormedAt)) {
			return OfficersResult{}, app.Invalid("elected_at", "选举时间须在业主委员会选出之后、今天之前")
		}
	}
	var res OfficersResult
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		members, err := models.CommitteeMembers(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		seated := map[int64]models.CommitteeMember{}
		for _, m := range members {
			if m.Status == models.SeatServing && m.Role != models.RoleAlternate {
				seated[m.ID] = m
			}
		}
		if _, ok := seated[in.ChairMemberID]; !ok {
			return app.Invalid("chair_member_id", "主任须由当选委员担任，候补委员不能担任 / the chair must be an elected member")
		}
		vice := map[int64]bool{}
		for _, id := range in.ViceChairMemberIDs {
			if _, ok := seated[id]; !ok || id == in.ChairMemberID || vice[id] {
				return app.Invalid("vice_chair_member_ids", "副主任须为主任以外的当选委员，且不能重复 / vice-chairs are other elected members")
			}
			vice[id] = true
		}
		if err := tx.Model(&models.CommitteeMember{}).Where("committee_id = ? AND status = ? AND role <> ?", c.ID, models.SeatServing, models.RoleAlternate).
			Updates(map[string]any{"role": models.RoleMember, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("resetting roles: %w", err)
		}
		if err := tx.Model(&models.CommitteeMember{}).Where("id = ?", in.ChairMemberID).
			Updates(map[string]any{"role": models.RoleChair, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("setting chair: %w", err)
		}
		if len(in.ViceChairMemberIDs) > 0 {
			if err := tx.Model(&models.CommitteeMember{}).Where("id IN ?", in.ViceChairMemberIDs).
				Updates(map[string]any{"role": models.RoleViceChair, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("setting vice-chairs: %w", err)
			}
		}
		if err := tx.Model(&models.Committee{}).Where("id = ?", c.ID).
			Updates(map[string]any{"chair_elected_at": at, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("recording officers: %w", err)
		}
		if c.ChairElectBy != nil {
			res = OfficersResult{Late: !at.Before(*c.ChairElectBy), Deadline: *c.ChairElectBy}
		}
		return record(ctx, tx, p, e, "formation.committee.officers", "committee", c.ID, map[string]any{
			"chair_member_id": in.ChairMemberID, "vice_chair_member_ids": in.ViceChairMemberIDs, "late": res.Late})
	}))
	return res, err
}

// FilingInput records a filing (备案) received by the street office.
type FilingInput struct {
	Documents   []string   // the documents filed, one per entry
	ReferenceNo string     // the street office's filing number
	FiledAt     *time.Time // nil means now
	Note        string
}

// FilingResult says whether the filing was late.
type FilingResult struct {
	Kind     string
	Overdue  bool // after FilingDays from the committee's election (REG 16: 30 days)
	Deadline time.Time
}

// FileCommittee records the committee's filing with the street office (REG 16). The
// first filing of a formed committee, whose officers must have been elected, makes it
// filed and dissolves the group that organised its election (SH 16, BJ 43); later
// filings record changes. A filing after the deadline is recorded and flagged.
func (s *Service) FileCommittee(ctx context.Context, p app.Principal, committeeID int64, in FilingInput) (FilingResult, error) {
	c, e, _, err := s.committeeForChange(ctx, p, committeeID, actFiling)
	if err != nil {
		return FilingResult{}, err
	}
	if c.Status != models.CommitteeFormed && c.Status != models.CommitteeFiled {
		return FilingResult{}, app.Errorf(app.EConflict, "业主委员会尚未组成或已结束，不能备案 / the committee is not formed")
	}
	if c.ChairElectedAt == nil {
		return FilingResult{}, app.Errorf(app.EConflict, "请先记录主任、副主任的选举 / record the officers first")
	}
	var docs []string
	for _, d := range in.Documents {
		if d = strings.TrimSpace(d); d != "" {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return FilingResult{}, app.Invalid("documents", "请列明备案材料 / list the documents filed")
	}
	joined, err := text("documents", strings.Join(docs, "\n"), 1, 2000, "备案材料")
	if err != nil {
		return FilingResult{}, err
	}
	ref, err := text("reference_no", in.ReferenceNo, 0, 100, "备案编号")
	if err != nil {
		return FilingResult{}, err
	}
	note, err := text("note", in.Note, 0, 500, "备注")
	if err != nil {
		return FilingResult{}, err
	}
	now := s.clock()
	filedAt := now
	if in.FiledAt != nil {
		filedAt = in.FiledAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, filedAt) > 0 || (c.FormedAt != nil && filedAt.Before(*c.FormedAt)) {
			return FilingResult{}, app.Invalid("filed_at", "备案时间须在业主委员会选出之后、今天之前")
		}
	}
	res := FilingResult{Kind: models.FilingChange}
	if c.Status == models.CommitteeFormed {
		res.Kind = models.FilingFormation
		if c.FilingDue != nil {
			res.Deadline = *c.FilingDue
			res.Overdue = !filedAt.Before(*c.FilingDue)
		}
	}
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		f := models.CommitteeFiling{CommitteeID: c.ID, Kind: res.Kind, Documents: joined, ReferenceNo: ref, FiledAt: filedAt,
			Overdue: res.Overdue, Note: note, RecordedBy: p.Username, CreatedAt: now}
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("recording filing: %w", err)
		}
		if res.Kind == models.FilingFormation {
			upd := tx.Model(&models.Committee{}).Where("id = ? AND status = ?", c.ID, models.CommitteeFormed).
				Updates(map[string]any{"status": models.CommitteeFiled, "filed_at": filedAt, "updated_at": now})
			if upd.Error != nil {
				return fmt.Errorf("marking committee filed: %w", upd.Error)
			}
			if upd.RowsAffected == 0 {
				return app.Errorf(app.EConflict, "业主委员会已备案 / already filed")
			}
			open, err := models.OpenGroups(ctx, tx, []int64{e.ID})
			if err != nil {
				return err
			}
			// Only the group that organised this committee's election dissolves: an earlier
			// committee filing late must not end its successor's re-election group.
			if g, ok := open[e.ID]; ok && c.GroupID != nil && *c.GroupID == g.ID {
				if err := dissolve(tx, g.ID, "业主委员会已备案，"+KindLabel(g.Kind)+"解散", now); err != nil {
					return err
				}
			}
		}
		return record(ctx, tx, p, e, "formation.committee.filing", "committee", c.ID, map[string]any{
			"kind": res.Kind, "overdue": res.Overdue, "documents": len(docs)})
	}))
	return res, err
}

// CommitteeMemberView is a member with labels.
type CommitteeMemberView struct {
	models.CommitteeMember
	RoleLabel     string
	AgreeAreaText string // the agreeing area in m², two decimals
}

// FilingView is a filing with its documents split.
type FilingView struct {
	models.CommitteeFiling
	DocumentList []string
}

// CommitteeView is everything about one committee.
type CommitteeView struct {
	models.Committee
	StatusLabel      string
	Profile          rules.JurisdictionProfile
	Members          []CommitteeMemberView // elected members holding a seat
	Alternates       []CommitteeMemberView // in order of succession
	Former           []CommitteeMemberView // whose service ended
	Elections        []models.CommitteeElection
	Filings          []FilingView
	Ratio            rules.PartyRatio
	VacantSeats      int
	ByElectionNeeded bool     // forming, no runoff pending: a by-election fills the vacant seats
	RunoffPending    []string // the tied candidates awaiting a runoff
	ChairOverdue     bool
	FilingOverdue    bool
	ReelectionDue    bool
	// The dates in Asia/Shanghai: the last days of the term and of the deadlines, and the
	// day the re-election starts; empty while unknown.
	TermEndDay         string
	ReelectionStartDay string
	ChairElectByDay    string
	PublishByDay       string
	FilingDueDay       string
}

// Committee loads a committee in the principal's jurisdiction.
func (s *Service) Committee(ctx context.Context, p app.Principal, committeeID int64) (CommitteeView, error) {
	c, err := models.FindCommittee(ctx, s.db, committeeID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return CommitteeView{}, app.Errorf(app.ENotFound, "业主委员会不存在 / no such committee")
	}
	if err != nil {
		return CommitteeView{}, app.Internal(err)
	}
	if _, err := s.orgs.Estate(ctx, p, c.EstateID); err != nil {
		return CommitteeView{}, outOfSight(err, app.Errorf(app.ENotFound, "业主委员会不存在 / no such committee"))
	}
	return s.committeeView(ctx, c)
}

// committeeView assembles a committee's view.
func (s *Service) committeeView(ctx context.Context, c models.Committee) (CommitteeView, error) {
	now := s.clock()
	prof, _ := rules.ProfileByCode(c.ProfileCode)
	v := CommitteeView{Committee: c, StatusLabel: CommitteeStatusLabel(c.Status), Profile: prof}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	var ratioInput []rules.PartyMember
	for _, m := range members {
		mv := CommitteeMemberView{CommitteeMember: m, RoleLabel: MemberRoleLabel(m.Role), AgreeAreaText: rules.Area(m.AgreeArea).String()}
		switch {
		case m.Status != models.SeatServing:
			v.Former = append(v.Former, mv)
		case m.Role == models.RoleAlternate:
			v.Alternates = append(v.Alternates, mv)
		default:
			v.Members = append(v.Members, mv)
			ratioInput = append(ratioInput, rules.PartyMember{Key: m.CandidateKey, IsParty: m.PartyMember, IsChair: m.Role == models.RoleChair})
		}
	}
	v.Ratio = rules.ComputePartyRatio(ratioInput, prof.PartyRatioTargetPercent)
	if v.Elections, err = models.CommitteeElections(ctx, s.db, c.ID); err != nil {
		return v, app.Internal(err)
	}
	filings, err := models.CommitteeFilings(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	for _, f := range filings {
		v.Filings = append(v.Filings, FilingView{CommitteeFiling: f, DocumentList: strings.Split(f.Documents, "\n")})
	}
	v.VacantSeats = max(c.Seats-len(v.Members), 0)
	if c.RunoffPending != "" {
		v.RunoffPending = strings.Split(c.RunoffPending, "\n")
	}
	v.ByElectionNeeded = c.Status == models.CommitteeForming && c.RunoffPending == ""
	v.ChairOverdue = c.ChairElectedAt == nil && c.ChairElectBy != nil && c.Status != models.CommitteeEnded && !now.Before(*c.ChairElectBy)
	v.FilingOverdue = c.FiledAt == nil && c.FilingDue != nil && c.Status == models.CommitteeFormed && !now.Before(*c.FilingDue)
	lastOf := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return lastDay(*t)
	}
	v.TermEndDay, v.ChairElectByDay, v.PublishByDay, v.FilingDueDay = lastOf(c.TermEnd), lastOf(c.ChairElectBy), lastOf(c.OfficersPublishBy), lastOf(c.FilingDue)
	if c.ReelectionStart != nil {
		v.ReelectionStartDay = day(*c.ReelectionStart)
	}
	v.ReelectionDue = c.ReelectionStart != nil && (c.Status == models.CommitteeFormed || c.Status == models.CommitteeFiled) && !now.Before(*c.ReelectionStart)
	return v, nil
}
