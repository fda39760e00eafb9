package formation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// KindLabel is the Chinese name of a group kind.
func KindLabel(kind string) string {
	if kind == models.GroupKindReelection {
		return "换届小组"
	}
	return "筹备组"
}

// The checklist items this package adds around the duties of GR 12 (rules.PrepDuties).
const (
	DutyPublishMemberList = "publish_member_list" // publish the member list within the profile's days
	DutyHoldMeeting       = "hold_meeting"        // hold the (first) assembly meeting by the deadline
)

// dutyDef is one checklist item of a group.
type dutyDef struct {
	Code, Title, TitleEN string
}

// dutiesFor lists the checklist of a group: the member list, the duties of GR 12 (a
// re-election group keeps the management rules and rules of procedure it has, so it does
// not draft them), and the meeting itself.
func dutiesFor(kind string) []dutyDef {
	out := []dutyDef{{DutyPublishMemberList, "公示小组成员名单、分工和联系方式", "Publish the member list, duties and contacts"}}
	for _, d := range rules.PrepDuties() {
		if kind == models.GroupKindReelection && (d.Code == "draft_management_rules" || d.Code == "draft_rules_of_procedure") {
			continue
		}
		out = append(out, dutyDef{d.Code, d.Title, d.TitleEN})
	}
	title, titleEN := "召开首次业主大会会议", "Hold the first assembly meeting"
	if kind == models.GroupKindReelection {
		title, titleEN = "在任期届满前召开业主大会会议选举新一届业主委员会", "Hold the assembly electing the next committee before the term ends"
	}
	return append(out, dutyDef{DutyHoldMeeting, title, titleEN})
}

// dutyTitle finds the titles of a duty code.
func dutyTitle(code string) (string, string) {
	for _, kind := range []string{models.GroupKindPrep, models.GroupKindReelection} {
		for _, d := range dutiesFor(kind) {
			if d.Code == code {
				return d.Title, d.TitleEN
			}
		}
	}
	return code, code
}

// dutyDeadline is the instant after which a duty is overdue: the member list by
// MemberListDeadline, the meeting by the group's meeting deadline, and the GR 12 duties by
// the end of the day DutiesPublishBy names for the planned meeting (or, while none is
// planned, for the last day allowed for it).
func dutyDeadline(code string, g models.FormationGroup, prof rules.JurisdictionProfile) time.Time {
	switch code {
	case DutyPublishMemberList:
		return g.MemberListDeadline
	case DutyHoldMeeting:
		return g.MeetingDeadline
	}
	meeting := g.MeetingDeadline.Add(-time.Nanosecond)
	if g.PlannedMeetingAt != nil {
		meeting = *g.PlannedMeetingAt
	}
	return rules.DutiesPublishBy(meeting, prof).AddDate(0, 0, 1)
}

// NewGroup is the input for forming a group.
type NewGroup struct {
	Kind                  string     // prep or reelection
	FormedAt              *time.Time // the group's first meeting; nil means now
	PlannedMeetingAt      *time.Time // the planned (first) assembly meeting, if known
	DeveloperAbsentReason string     // why the developer does not take part, if it does not
}

// CreateGroup forms a preparatory group (no committee yet) or a re-election group (a
// formed committee whose term will end) for the estate, with its duties checklist and
// deadlines: the member list within MemberListPublishDays, the first meeting within
// FirstMeetingDays (a re-election meeting before the term ends).
func (s *Service) CreateGroup(ctx context.Context, p app.Principal, estateID int64, in NewGroup) (int64, error) {
	if err := access.RequireAny(p, access.PrepCompose, access.ReelectionCompose); err != nil {
		return 0, err // the role first; which kind it may compose is checked below
	}
	if in.Kind != models.GroupKindPrep && in.Kind != models.GroupKindReelection {
		return 0, app.Invalid("kind", "小组类型须为 prep（筹备组）或 reelection（换届小组）")
	}
	e, prof, err := s.estateForChange(ctx, p, estateID, in.Kind, actCompose)
	if err != nil {
		return 0, err
	}
	reason, err := text("developer_absent_reason", in.DeveloperAbsentReason, 0, 500, app.M("err.formation.label_developer_absent_reason"))
	if err != nil {
		return 0, err
	}
	now := s.clock()
	formedAt := now
	if in.FormedAt != nil {
		formedAt = in.FormedAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, formedAt) > 0 {
			return 0, app.Invalid("formed_at", app.M("err.formation.the_group_cannot_be_formed_in_the_future"))
		}
	}
	g := models.FormationGroup{EstateID: e.ID, Kind: in.Kind, Status: models.GroupForming, OpenEstateID: ptr(e.ID),
		ProfileCode: prof.Code, ProfileVersion: prof.Version, FormedAt: formedAt,
		MemberListDeadline: rules.MemberListDeadline(formedAt, prof), DeveloperAbsentReason: reason,
		CreatedBy: p.Username, CreatedAt: now, UpdatedAt: now}
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		live, err := models.LiveCommittees(ctx, tx, []int64{e.ID})
		if err != nil {
			return err
		}
		c, hasCommittee := live[e.ID]
		switch {
		case in.Kind == models.GroupKindPrep && hasCommittee:
			return app.Fail(app.EConflict, "err.formation.the_estate_has_a_committee_form_a_re_election")
		case in.Kind == models.GroupKindPrep:
			g.MeetingDeadline = rules.FirstMeetingDeadline(formedAt, prof)
		case !hasCommittee || c.Status == models.CommitteeForming || c.TermEnd == nil:
			return app.Fail(app.EConflict, "err.formation.no_formed_committee_to_re_elect")
		default:
			g.PredecessorCommitteeID = ptr(c.ID)
			g.MeetingDeadline = *c.TermEnd
			if !formedAt.Before(*c.TermEnd) {
				return app.Invalid("formed_at", fmt.Sprintf("业主委员会任期已于 %s 届满，换届小组应在任期届满前组建", lastDay(*c.TermEnd)))
			}
		}
		if in.PlannedMeetingAt != nil {
			t := in.PlannedMeetingAt.UTC().Truncate(time.Second)
			if err := checkMeeting(g, t); err != nil {
				return err
			}
			g.PlannedMeetingAt = &t
		}
		if err := tx.Create(&g).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.formation.the_estate_already_has_an_open_group")
			}
			return fmt.Errorf("creating group: %w", err)
		}
		for i, d := range dutiesFor(g.Kind) {
			row := models.FormationDuty{GroupID: g.ID, Code: d.Code, Position: i + 1, Deadline: dutyDeadline(d.Code, g, prof),
				CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("creating duty %s: %w", d.Code, err)
			}
		}
		return record(ctx, tx, p, e, "formation.group.create", "formation_group", g.ID, map[string]any{
			"kind": g.Kind, "formed_at": day(formedAt), "profile": prof.Code + "@" + prof.Version,
			"member_list_deadline": lastDay(g.MemberListDeadline), "meeting_deadline": lastDay(g.MeetingDeadline)})
	}))
	if err != nil {
		return 0, err
	}
	return g.ID, nil
}

// checkMeeting refuses a planned meeting outside the group's period: not before the group
// was formed, and by the meeting deadline (SH 16, NB 22: 90 days; BJ: 60; a re-election
// before the term ends, BJ 49).
func checkMeeting(g models.FormationGroup, at time.Time) error {
	if at.Before(g.FormedAt) {
		return app.Invalid("planned_meeting_at", "会议时间不能早于小组成立时间")
	}
	if !at.Before(g.MeetingDeadline) {
		if g.Kind == models.GroupKindReelection {
			return app.Invalid("planned_meeting_at", fmt.Sprintf("换届选举应在本届业主委员会任期届满（%s）前完成", lastDay(g.MeetingDeadline)))
		}
		return app.Invalid("planned_meeting_at", fmt.Sprintf("首次业主大会会议应在筹备组成立后按规定期限内召开，最迟 %s", lastDay(g.MeetingDeadline)))
	}
	return nil
}

// GroupUpdate changes a group's plan.
type GroupUpdate struct {
	PlannedMeetingAt      *time.Time // nil leaves the planned meeting unchanged
	DeveloperAbsentReason *string    // nil leaves the reason unchanged
}

// UpdateGroup plans the meeting (which moves the deadlines of the duties published 15
// days before it) and records why the developer does not take part.
func (s *Service) UpdateGroup(ctx context.Context, p app.Principal, groupID int64, in GroupUpdate) error {
	g, e, prof, err := s.groupForChange(ctx, p, groupID, actWork)
	if err != nil {
		return err
	}
	prof = groupProfile(g, prof)
	now := s.clock()
	detail := map[string]any{}
	if in.DeveloperAbsentReason != nil {
		if !allowed(p, g.Kind, actCompose) {
			return forbidden(actCompose)
		}
		r, err := text("developer_absent_reason", *in.DeveloperAbsentReason, 0, 500, app.M("err.formation.label_developer_absent_reason"))
		if err != nil {
			return err
		}
		g.DeveloperAbsentReason = r
		detail["developer_absent_reason"] = r != ""
	}
	if in.PlannedMeetingAt != nil {
		t := in.PlannedMeetingAt.UTC().Truncate(time.Second)
		if err := checkMeeting(g, t); err != nil {
			return err
		}
		g.PlannedMeetingAt = &t
		detail["planned_meeting_at"] = t.Format(time.RFC3339)
	}
	g.UpdatedAt = now
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&g).Select("planned_meeting_at", "developer_absent_reason", "updated_at").Updates(&g).Error; err != nil {
			return fmt.Errorf("updating group: %w", err)
		}
		duties, err := models.GroupDuties(ctx, tx, g.ID)
		if err != nil {
			return err
		}
		for _, d := range duties {
			if d.DoneAt != nil {
				continue
			}
			if dl := dutyDeadline(d.Code, g, prof); !dl.Equal(d.Deadline) {
				if err := tx.Model(&d).Select("deadline", "updated_at").Updates(models.FormationDuty{Deadline: dl, UpdatedAt: now}).Error; err != nil {
					return fmt.Errorf("moving duty deadline: %w", err)
				}
			}
		}
		return record(ctx, tx, p, e, "formation.group.update", "formation_group", g.ID, detail)
	}))
}

// MemberInput is one member of a group.
type MemberInput struct {
	Role          rules.PrepRole
	Name          string
	Room          string // owner representatives: the room key, e.g. "1-1-101"
	Organisation  string // other members: the body represented
	Leader        bool
	MeetsCriteria bool // owner representatives: meets the committee candidate criteria (BJ 31)
	Duty          string
}

// memberRow validates the input into a row.
func (s *Service) memberRow(ctx context.Context, tx *gorm.DB, estateID int64, in MemberInput) (models.FormationGroupMember, error) {
	var m models.FormationGroupMember
	if !in.Role.Valid() {
		return m, app.Invalid("role", "成员身份须为 owner_rep、developer、street_office、residents_committee 或 party_org")
	}
	name, err := text("name", in.Name, 1, 50, app.M("err.formation.label_name"))
	if err != nil {
		return m, err
	}
	org, err := text("organisation", in.Organisation, 0, 100, app.M("err.formation.label_employer"))
	if err != nil {
		return m, err
	}
	duty, err := text("duty", in.Duty, 0, 100, app.M("err.formation.label_duty"))
	if err != nil {
		return m, err
	}
	room, err := text("room", in.Room, 0, 64, app.M("err.formation.label_room"))
	if err != nil {
		return m, err
	}
	if in.Role == rules.PrepRoleOwnerRep {
		if room == "" {
			return m, app.Invalid("room", app.M("err.formation.an_owner_representative_needs_a_room"))
		}
		if _, found, err := models.UnitOwnerNames(ctx, tx, estateID, room); err != nil {
			return m, err
		} else if !found {
			return m, app.Invalid("room", app.M("err.formation.no_such_room_in_the_roster", room))
		}
		org = ""
	} else {
		room = ""
		in.MeetsCriteria = false
		if org == "" {
			org = in.Role.Label()
		}
	}
	return models.FormationGroupMember{Role: string(in.Role), Name: name, Room: room, Organisation: org, Leader: in.Leader,
		MeetsCriteria: in.MeetsCriteria, Duty: duty, Status: models.MemberActive}, nil
}

// membersChanged marks a published member list as needing publication again and, when
// leader is set, makes member the group's only leader.
func membersChanged(tx *gorm.DB, g models.FormationGroup, memberID int64, leader bool, now time.Time) error {
	if leader {
		if err := tx.Model(&models.FormationGroupMember{}).Where("group_id = ? AND id <> ? AND leader = ?", g.ID, memberID, true).
			Updates(map[string]any{"leader": false, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("clearing other leaders: %w", err)
		}
	}
	changes := map[string]any{"updated_at": now}
	if g.PublishedAt != nil {
		changes["members_changed_at"] = now
	}
	if err := tx.Model(&models.FormationGroup{}).Where("id = ?", g.ID).Updates(changes).Error; err != nil {
		return fmt.Errorf("marking the member list changed: %w", err)
	}
	return nil
}

// AddMember adds a member to a group. Marking a member leader makes it the only leader.
// After publication a change means the list must be published again.
func (s *Service) AddMember(ctx context.Context, p app.Principal, groupID int64, in MemberInput) (int64, error) {
	g, e, _, err := s.groupForChange(ctx, p, groupID, actCompose)
	if err != nil {
		return 0, err
	}
	now := s.clock()
	var m models.FormationGroupMember
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if m, err = s.memberRow(ctx, tx, e.ID, in); err != nil {
			return err
		}
		m.GroupID, m.CreatedAt, m.UpdatedAt = g.ID, now, now
		if err := tx.Create(&m).Error; err != nil {
			return fmt.Errorf("adding member: %w", err)
		}
		if err := membersChanged(tx, g, m.ID, m.Leader, now); err != nil {
			return err
		}
		return record(ctx, tx, p, e, "formation.member.add", "formation_group", g.ID,
			map[string]any{"member_id": m.ID, "role": m.Role, "leader": m.Leader})
	}))
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// memberForChange loads an active member of an open group the principal may compose.
func (s *Service) memberForChange(ctx context.Context, p app.Principal, memberID int64) (models.FormationGroupMember, models.FormationGroup, models.EstateWithPath, error) {
	var m models.FormationGroupMember
	if err := s.db.WithContext(ctx).First(&m, memberID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return m, models.FormationGroup{}, models.EstateWithPath{}, app.Fail(app.ENotFound, "err.formation.no_such_member")
		}
		return m, models.FormationGroup{}, models.EstateWithPath{}, app.Internal(err)
	}
	g, e, _, err := s.groupForChange(ctx, p, m.GroupID, actCompose)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			err = app.Fail(app.ENotFound, "err.formation.no_such_member")
		}
		return m, g, e, err
	}
	if m.Status != models.MemberActive {
		return m, g, e, app.Fail(app.EConflict, "err.formation.the_member_has_withdrawn")
	}
	return m, g, e, nil
}

// UpdateMember changes a member's details.
func (s *Service) UpdateMember(ctx context.Context, p app.Principal, memberID int64, in MemberInput) error {
	old, g, e, err := s.memberForChange(ctx, p, memberID)
	if err != nil {
		return err
	}
	now := s.clock()
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		m, err := s.memberRow(ctx, tx, e.ID, in)
		if err != nil {
			return err
		}
		m.ID, m.GroupID, m.CreatedAt, m.UpdatedAt = old.ID, old.GroupID, old.CreatedAt, now
		if err := tx.Model(&m).Select("role", "name", "room", "organisation", "leader", "meets_criteria", "duty", "updated_at").
			Updates(&m).Error; err != nil {
			return fmt.Errorf("updating member: %w", err)
		}
		if err := membersChanged(tx, g, m.ID, m.Leader, now); err != nil {
			return err
		}
		return record(ctx, tx, p, e, "formation.member.update", "formation_group", g.ID,
			map[string]any{"member_id": m.ID, "role": m.Role, "leader": m.Leader})
	}))
}

// WithdrawMember takes a member off the group; the row stays.
func (s *Service) WithdrawMember(ctx context.Context, p app.Principal, memberID int64) error {
	m, g, e, err := s.memberForChange(ctx, p, memberID)
	if err != nil {
		return err
	}
	now := s.clock()
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&m).Updates(map[string]any{"status": models.MemberWithdrawn, "withdrawn_at": now, "leader": false, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("withdrawing member: %w", err)
		}
		if err := membersChanged(tx, g, m.ID, false, now); err != nil {
			return err
		}
		return record(ctx, tx, p, e, "formation.member.withdraw", "formation_group", g.ID, map[string]any{"member_id": m.ID})
	}))
}

// prepMembers maps the active members to the rule's input.
func prepMembers(members []models.FormationGroupMember) []rules.PrepMember {
	var out []rules.PrepMember
	for _, m := range members {
		if m.Status != models.MemberActive {
			continue
		}
		out = append(out, rules.PrepMember{Key: m.Name, Role: rules.PrepRole(m.Role), Leader: m.Leader, MeetsCandidateCriteria: m.MeetsCriteria})
	}
	return out
}

// validateGroup applies rules.ValidatePrepGroup. A re-election group has no developer
// (SH 28), so that warning is dropped; a recorded reason keeps the developer warning but
// says why.
func validateGroup(g models.FormationGroup, prof rules.JurisdictionProfile, members []models.FormationGroupMember) (violations, warnings []rules.Violation) {
	violations, all := rules.ValidatePrepGroup(prof, prepMembers(members))
	for _, w := range all {
		if w.Code == "prep_developer_missing" {
			if g.Kind == models.GroupKindReelection {
				continue
			}
			if g.DeveloperAbsentReason != "" {
				w.Message += "（已记录原因：" + g.DeveloperAbsentReason + "）"
				w.MessageEN += " (reason recorded)"
			}
		}
		warnings = append(warnings, w)
	}
	return violations, warnings
}

// PublishedMember is one member as published.
type PublishedMember struct {
	Role         string `json:"role"`
	Name         string `json:"name"`
	Room         string `json:"room,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Leader       bool   `json:"leader,omitempty"`
	Duty         string `json:"duty,omitempty"`
}

// PublishResult says what a publication did.
type PublishResult struct {
	PublishedAt time.Time
	Version     int
	Late        bool // published after the member-list deadline
	Deadline    time.Time
	Warnings    []rules.Violation
}

// violationError turns composition violations into a 422 naming each rule.
func violationError(vs []rules.Violation) error {
	// A violation carries its words in both languages (rules.Violation); the catalogue
	// picks the reader's (Chinese {{.A1}}, English {{.A2}}).
	e := &app.Error{Code: app.EInvalid, Msg: app.M("err.formation.group_composition_not_allowed", vs[0].Message, vs[0].MessageEN)}
	for _, v := range vs {
		e.Details = append(e.Details, app.Detail{Field: v.Code, Msg: app.M("err.formation.violation", v.Message, v.MessageEN)})
	}
	return e
}

// PublishMemberList publishes the group's member list (BJ 31, SH 15: within 7 days of
// forming) after checking the composition (rules.ValidatePrepGroup): any violation
// refuses publication with a 422 naming the rule; warnings are returned. Publishing again
// after a change makes a new version.
func (s *Service) PublishMemberList(ctx context.Context, p app.Principal, groupID int64) (PublishResult, error) {
	g, e, prof, err := s.groupForChange(ctx, p, groupID, actCompose)
	if err != nil {
		return PublishResult{}, err
	}
	prof = groupProfile(g, prof)
	now := s.clock()
	var res PublishResult
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		members, err := models.GroupMembers(ctx, tx, g.ID)
		if err != nil {
			return err
		}
		violations, warnings := validateGroup(g, prof, members)
		if len(violations) > 0 {
			return violationError(violations)
		}
		if g.PublishedAt != nil && g.MembersChangedAt == nil {
			return app.Fail(app.EConflict, "err.formation.the_member_list_is_already_published_unchanged")
		}
		var published []PublishedMember
		for _, m := range members {
			if m.Status == models.MemberActive {
				published = append(published, PublishedMember{Role: m.Role, Name: m.Name, Room: m.Room, Organisation: m.Organisation, Leader: m.Leader, Duty: m.Duty})
			}
		}
		snapshot, err := json.Marshal(published)
		if err != nil {
			return fmt.Errorf("member list snapshot: %w", err)
		}
		res = PublishResult{PublishedAt: now, Version: g.PublicationVersion + 1, Late: !now.Before(g.MemberListDeadline),
			Deadline: g.MemberListDeadline, Warnings: warnings}
		if err := tx.Model(&models.FormationGroup{}).Where("id = ?", g.ID).Updates(map[string]any{
			"status": models.GroupPublished, "published_at": now, "published_members": string(snapshot),
			"publication_version": res.Version, "members_changed_at": nil, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("publishing member list: %w", err)
		}
		if err := completeDuty(tx, g.ID, DutyPublishMemberList, fmt.Sprintf("成员名单第 %d 版于 %s 公示", res.Version, day(now)), p.Username, now); err != nil {
			return err
		}
		codes := make([]string, 0, len(warnings))
		for _, w := range warnings {
			codes = append(codes, w.Code)
		}
		return record(ctx, tx, p, e, "formation.members.publish", "formation_group", g.ID,
			map[string]any{"version": res.Version, "late": res.Late, "warnings": codes})
	}))
	return res, err
}

// completeDuty marks a duty done unless it already is.
func completeDuty(tx *gorm.DB, groupID int64, code, evidence, by string, at time.Time) error {
	err := tx.Model(&models.FormationDuty{}).Where("group_id = ? AND code = ? AND done_at IS NULL", groupID, code).
		Updates(map[string]any{"done_at": at, "evidence": evidence, "done_by": by, "updated_at": at}).Error
	if err != nil {
		return fmt.Errorf("completing duty %s: %w", code, err)
	}
	return nil
}

// DutyInput records a duty as done.
type DutyInput struct {
	Evidence string     // what shows it is done: the notice, the document, the minutes
	DoneAt   *time.Time // nil means now
}

// CompleteDuty marks one checklist item of the group done with its evidence.
func (s *Service) CompleteDuty(ctx context.Context, p app.Principal, groupID int64, code string, in DutyInput) error {
	g, e, _, err := s.groupForChange(ctx, p, groupID, actWork)
	if err != nil {
		return err
	}
	evidence, err := text("evidence", in.Evidence, 1, 1000, app.M("err.formation.label_progress_evidence"))
	if err != nil {
		return err
	}
	now := s.clock()
	doneAt := now
	if in.DoneAt != nil {
		doneAt = in.DoneAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, doneAt) > 0 {
			return app.Invalid("done_at", "完成时间不能晚于今天")
		}
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var d models.FormationDuty
		res := tx.Where("group_id = ? AND code = ?", g.ID, code).Limit(1).Find(&d)
		if res.Error != nil {
			return fmt.Errorf("reading duty: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.ENotFound, "err.formation.no_such_duty")
		}
		if d.DoneAt != nil {
			return app.Fail(app.EConflict, "err.formation.already_done", day(*d.DoneAt))
		}
		if err := tx.Model(&d).Updates(map[string]any{"done_at": doneAt, "evidence": evidence, "done_by": p.Username, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("completing duty: %w", err)
		}
		return record(ctx, tx, p, e, "formation.duty.done", "formation_group", g.ID,
			map[string]any{"duty": code, "late": !doneAt.Before(d.Deadline)})
	}))
}

// DissolveGroup dissolves a group before its work is done (formed by mistake, replaced);
// a group is dissolved by itself when the committee is filed.
func (s *Service) DissolveGroup(ctx context.Context, p app.Principal, groupID int64, reason string) error {
	g, e, _, err := s.groupForChange(ctx, p, groupID, actCompose)
	if err != nil {
		return err
	}
	reason, err = text("reason", reason, 1, 500, app.M("err.formation.label_dissolve_reason"))
	if err != nil {
		return err
	}
	now := s.clock()
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := dissolve(tx, g.ID, reason, now); err != nil {
			return err
		}
		return record(ctx, tx, p, e, "formation.group.dissolve", "formation_group", g.ID, map[string]any{"reason": reason})
	}))
}

// dissolve ends a group; open_estate_id is cleared so the estate may open another.
func dissolve(tx *gorm.DB, groupID int64, reason string, at time.Time) error {
	err := tx.Model(&models.FormationGroup{}).Where("id = ? AND status <> ?", groupID, models.GroupDissolved).Updates(map[string]any{
		"status": models.GroupDissolved, "open_estate_id": nil, "dissolved_at": at, "dissolved_reason": reason, "updated_at": at}).Error
	if err != nil {
		return fmt.Errorf("dissolving group: %w", err)
	}
	return nil
}

// MemberView is a member with its role's label.
type MemberView struct {
	models.FormationGroupMember
	RoleLabel string
}

// DutyView is a checklist item with its title and whether it is overdue.
type DutyView struct {
	models.FormationDuty
	Title   string
	TitleEN string
	LastDay string // the last day allowed, Asia/Shanghai
	Overdue bool   // not done and the deadline has passed
	Late    bool   // done after the deadline
}

// GroupView is everything about a group.
type GroupView struct {
	models.FormationGroup
	KindLabel          string
	Profile            rules.JurisdictionProfile
	MemberListLastDay  string       // the last day for publishing the member list, Asia/Shanghai
	MeetingLastDay     string       // the last day for the meeting
	Members            []MemberView // active members first, then withdrawn ones
	PublishedMembers   []PublishedMember
	Violations         []rules.Violation
	Warnings           []rules.Violation
	MemberListOverdue  bool // not published and the deadline has passed
	MemberListLate     bool // first published after the deadline
	NeedsRepublication bool // the members changed after publication
	MeetingOverdue     bool
	Duties             []DutyView
	Objections         []ObjectionView
	Candidates         []CandidateView
	Lists              []models.CandidateList // publications, newest first
	CurrentList        *ListView
	Slate              Slate
}

// Group loads a group in the principal's jurisdiction with everything about it.
func (s *Service) Group(ctx context.Context, p app.Principal, groupID int64) (GroupView, error) {
	g, err := models.FindGroup(ctx, s.db, groupID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return GroupView{}, app.Fail(app.ENotFound, "err.formation.no_such_group")
	}
	if err != nil {
		return GroupView{}, app.Internal(err)
	}
	e, err := s.orgs.Estate(ctx, p, g.EstateID)
	if err != nil {
		return GroupView{}, outOfSight(err, app.Fail(app.ENotFound, "err.formation.no_such_group"))
	}
	prof, _ := rules.ProfileByCode(e.ProfileCode)
	return s.groupView(ctx, g, groupProfile(g, prof))
}

// groupView assembles a group's view.
func (s *Service) groupView(ctx context.Context, g models.FormationGroup, prof rules.JurisdictionProfile) (GroupView, error) {
	now := s.clock()
	v := GroupView{FormationGroup: g, KindLabel: KindLabel(g.Kind), Profile: prof,
		MemberListLastDay: lastDay(g.MemberListDeadline), MeetingLastDay: lastDay(g.MeetingDeadline)}
	members, err := models.GroupMembers(ctx, s.db, g.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	slices.SortStableFunc(members, func(a, b models.FormationGroupMember) int {
		return boolOrder(a.Status != models.MemberActive) - boolOrder(b.Status != models.MemberActive)
	})
	for _, m := range members {
		v.Members = append(v.Members, MemberView{FormationGroupMember: m, RoleLabel: rules.PrepRole(m.Role).Label()})
	}
	if g.PublishedMembers != "" {
		if err := json.Unmarshal([]byte(g.PublishedMembers), &v.PublishedMembers); err != nil {
			return v, app.Internal(fmt.Errorf("published member list of group %d: %w", g.ID, err))
		}
	}
	if g.Status != models.GroupDissolved {
		v.Violations, v.Warnings = validateGroup(g, prof, members)
	}
	v.MemberListOverdue = g.PublishedAt == nil && g.Status != models.GroupDissolved && !now.Before(g.MemberListDeadline)
	v.NeedsRepublication = g.PublishedAt != nil && g.MembersChangedAt != nil
	duties, err := models.GroupDuties(ctx, s.db, g.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	for _, d := range duties {
		title, titleEN := dutyTitle(d.Code)
		dv := DutyView{FormationDuty: d, Title: title, TitleEN: titleEN, LastDay: lastDay(d.Deadline)}
		dv.Overdue = d.DoneAt == nil && g.Status != models.GroupDissolved && !now.Before(d.Deadline)
		dv.Late = d.DoneAt != nil && !d.DoneAt.Before(d.Deadline)
		if d.Code == DutyPublishMemberList {
			v.MemberListLate = dv.Late
		}
		if d.Code == DutyHoldMeeting {
			v.MeetingOverdue = dv.Overdue
		}
		v.Duties = append(v.Duties, dv)
	}
	if v.Objections, err = s.objections(ctx, g.ID); err != nil {
		return v, err
	}
	if v.Candidates, err = s.candidateViews(ctx, g); err != nil {
		return v, err
	}
	if v.Lists, err = models.CandidateListsOfGroup(ctx, s.db, g.ID); err != nil {
		return v, app.Internal(err)
	}
	for _, l := range v.Lists {
		if l.Status == models.ListCurrent {
			lv, err := s.listView(ctx, l, v.Candidates, prof)
			if err != nil {
				return v, err
			}
			v.CurrentList = &lv
			break
		}
	}
	v.Slate = slateOf(v.Candidates, v.CurrentList, prof)
	return v, nil
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}
