package rules

import (
	"fmt"
	"strings"
	"time"
)

// FormationStatus tells whether an estate is due to form its owners' assembly, i.e. to
// have a preparatory group set up (docs/rules.md §4), and by when.
type FormationStatus struct {
	Due              bool
	DeliveredPercent string // delivered share of the total area, for display only
	Reason           string // Chinese explanation of the decision
	// DecideBy is when the street office must have decided on the application, FormBy when
	// the group must have been formed (PrepDeadlines); both are zero while the date they run
	// from is not recorded or the profile sets no such deadline.
	DecideBy time.Time
	FormBy   time.Time
}

// PrepDates are the real events the preparatory-group deadlines run from (BJ 31, SH 15):
// when the street office received the owners' written application (or the developer's
// report) and when it decided to set up the group. Zero means not recorded.
type PrepDates struct {
	AppliedAt time.Time
	DecidedAt time.Time
}

// The events a profile's group-forming deadline (PrepFormDays) runs from.
const (
	PrepFormFromApplication = "application" // SH 15: 60 days from the report or request (the default)
	PrepFormFromDecision    = "decision"    // BJ 31: the leader convenes the group within 30 days of the decision
)

// PrepDeadlines gives the preparatory-group deadlines from the recorded events, using
// OfficialCalendar: the street office decides within PrepDecideDays of the application
// (BJ 31: 30 days); the group is formed within PrepFormDays of the application (SH 15: 60
// days) or, where the profile says PrepFormFromDecision, of the decision (BJ 31: 30 days).
// A deadline whose event is not recorded is zero: it never runs from today.
func PrepDeadlines(p JurisdictionProfile, d PrepDates) (decideBy, formBy time.Time) {
	cal := OfficialCalendar()
	if p.PrepDecideDays > 0 && !d.AppliedAt.IsZero() {
		decideBy = PeriodEnd(d.AppliedAt, p.PrepDecideDays, cal)
	}
	from := d.AppliedAt
	if p.PrepFormFrom == PrepFormFromDecision {
		from = d.DecidedAt
	}
	if p.PrepFormDays > 0 && !from.IsZero() {
		formBy = PeriodEnd(from, p.PrepFormDays, cal)
	}
	return decideBy, formBy
}

// FormationDue decides whether formation is due under the profile: when the delivered
// area reaches PrepDeliveredPercent of the total (100*delivered >= percent*total, BJ 30,
// SH 13) or, where the profile sets PrepYearsSinceDelivery, when that many years have
// passed since firstDelivery (SH 13: first unit delivered two years ago). A zero
// firstDelivery means the delivery date is unknown; a non-positive totalArea means the
// area test cannot be made.
//
// The deadlines run from the recorded application and decision (PrepDeadlines, BJ 31,
// SH 15), never from now.
func FormationDue(p JurisdictionProfile, deliveredArea, totalArea Area, firstDelivery time.Time, now time.Time, dates PrepDates) FormationStatus {
	status := FormationStatus{DeliveredPercent: Percent(int64(deliveredArea), int64(totalArea))}

	byArea := totalArea > 0 && 100*int64(deliveredArea) >= int64(p.PrepDeliveredPercent)*int64(totalArea)
	var reasons []string
	switch {
	case totalArea <= 0:
		reasons = append(reasons, "建筑总面积未知，无法按交付面积判断")
	case byArea:
		reasons = append(reasons, fmt.Sprintf("已交付面积占比 %s，达到 %d%% 的成立条件", status.DeliveredPercent, p.PrepDeliveredPercent))
	default:
		reasons = append(reasons, fmt.Sprintf("已交付面积占比 %s，未达到 %d%%", status.DeliveredPercent, p.PrepDeliveredPercent))
	}

	byYears := false
	var yearsDueAt time.Time
	if p.PrepYearsSinceDelivery > 0 {
		if firstDelivery.IsZero() {
			reasons = append(reasons, "首套房屋交付时间未知")
		} else {
			yearsDueAt = AddMonths(firstDelivery, 12*p.PrepYearsSinceDelivery)
			byYears = !now.Before(yearsDueAt)
			shownAt := yearsDueAt.In(Shanghai()).Format(time.DateOnly)
			if byYears {
				reasons = append(reasons, fmt.Sprintf("首套房屋交付已满 %d 年（%s）", p.PrepYearsSinceDelivery, shownAt))
			} else {
				reasons = append(reasons, fmt.Sprintf("首套房屋交付未满 %d 年（%s 届满）", p.PrepYearsSinceDelivery, shownAt))
			}
		}
	}

	status.Due = byArea || byYears
	if status.Due {
		reasons = append(reasons, "应当成立业主大会、组建筹备组")
	} else {
		reasons = append(reasons, "尚未达到成立业主大会的条件")
	}
	status.Reason = strings.Join(reasons, "；")
	status.DecideBy, status.FormBy = PrepDeadlines(p, dates)
	return status
}

// PrepRole is the body a preparatory group member represents (GR 10-11, BJ 31, SH 15).
type PrepRole string

// The bodies that sit on a preparatory group.
const (
	PrepRoleOwnerRep           PrepRole = "owner_rep"           // 业主代表
	PrepRoleDeveloper          PrepRole = "developer"           // 建设单位
	PrepRoleStreetOffice       PrepRole = "street_office"       // 街道办事处、乡镇人民政府
	PrepRoleResidentsCommittee PrepRole = "residents_committee" // 居民委员会
	PrepRolePartyOrg           PrepRole = "party_org"           // 社区党组织
)

// Valid reports whether r is one of the known roles.
func (r PrepRole) Valid() bool {
	switch r {
	case PrepRoleOwnerRep, PrepRoleDeveloper, PrepRoleStreetOffice, PrepRoleResidentsCommittee, PrepRolePartyOrg:
		return true
	}
	return false
}

// Label is the Chinese name of the role.
func (r PrepRole) Label() string {
	switch r {
	case PrepRoleOwnerRep:
		return "业主代表"
	case PrepRoleDeveloper:
		return "建设单位代表"
	case PrepRoleStreetOffice:
		return "街道办事处（乡镇人民政府）代表"
	case PrepRoleResidentsCommittee:
		return "居民委员会代表"
	case PrepRolePartyOrg:
		return "社区党组织代表"
	}
	return string(r)
}

// PrepMember is one member of a preparatory group.
type PrepMember struct {
	Key                    string
	Role                   PrepRole
	Leader                 bool
	MeetsCandidateCriteria bool // for owner representatives: meets the committee candidate criteria (BJ 31)
}

// Violation is one broken rule, with a stable code for clients and messages for people.
type Violation struct {
	Code      string
	Message   string // Chinese
	MessageEN string
}

// LeaderRole is the body whose representative must lead the preparatory group under the
// profile: PrepLeaderRole, or the street office when the profile names none.
func (p JurisdictionProfile) LeaderRole() PrepRole {
	if p.PrepLeaderRole == "" {
		return PrepRoleStreetOffice
	}
	return p.PrepLeaderRole
}

// ValidatePrepGroup checks the composition of a preparatory group (docs/rules.md §4; GR 10-11,
// BJ 31, SH 15): the size is odd; owner representatives are at least half the members
// (2*owners >= total); there is exactly one leader and the leader represents the body the
// profile names (LeaderRole: the street office, or in Beijing the residents' committee
// whose staff member the street office appoints); the street office and the residents' committee each have a member; the
// community Party organisation has one where the profile requires it; each owner
// representative meets the committee candidate criteria. A group without the developer is
// lawful when the developer cannot take part, so that is a warning, not a violation.
func ValidatePrepGroup(p JurisdictionProfile, members []PrepMember) (violations, warnings []Violation) {
	add := func(code, zh, en string) {
		violations = append(violations, Violation{Code: code, Message: zh, MessageEN: en})
	}
	total := len(members)
	if total == 0 {
		add("prep_empty", "筹备组没有成员", "the preparatory group has no members")
		return violations, warnings
	}

	counts := map[PrepRole]int{}
	seen := map[string]bool{}
	var leaders []PrepMember
	for _, m := range members {
		if seen[m.Key] {
			add("prep_duplicate_member", fmt.Sprintf("成员 %s 重复出现", m.Key), fmt.Sprintf("member %s is listed more than once", m.Key))
		}
		seen[m.Key] = true
		if !m.Role.Valid() {
			add("prep_unknown_role", fmt.Sprintf("成员 %s 的身份 %q 无法识别", m.Key, m.Role), fmt.Sprintf("member %s has an unknown role %q", m.Key, m.Role))
		}
		counts[m.Role]++
		if m.Leader {
			leaders = append(leaders, m)
		}
	}

	if total%2 == 0 {
		add("prep_size_even", fmt.Sprintf("筹备组人数为 %d 人，应当为单数", total), fmt.Sprintf("the group has %d members; the number must be odd", total))
	}
	if owners := counts[PrepRoleOwnerRep]; 2*owners < total {
		add("prep_owner_share", fmt.Sprintf("业主代表 %d 人，不足筹备组人数 %d 人的二分之一", owners, total),
			fmt.Sprintf("%d owner representatives are fewer than half of the %d members", owners, total))
	}
	switch len(leaders) {
	case 0:
		add("prep_leader_missing", "筹备组未确定组长", "the group has no leader")
	case 1:
		if want := p.LeaderRole(); leaders[0].Role != want {
			add("prep_leader_role", fmt.Sprintf("组长 %s 是%s，%s筹备组组长应由%s担任", leaders[0].Key, leaders[0].Role.Label(), p.Name, want.Label()),
				fmt.Sprintf("the leader %s is not the %s representative required by this profile", leaders[0].Key, want))
		}
	default:
		add("prep_leader_multiple", fmt.Sprintf("筹备组有 %d 名组长，只能有一名", len(leaders)), fmt.Sprintf("the group has %d leaders; it must have exactly one", len(leaders)))
	}
	if counts[PrepRoleStreetOffice] == 0 {
		add("prep_street_office_missing", "筹备组缺少街道办事处（乡镇人民政府）代表", "the street office is not represented")
	}
	if counts[PrepRoleResidentsCommittee] == 0 {
		add("prep_residents_committee_missing", "筹备组缺少居民委员会代表", "the residents' committee is not represented")
	}
	if p.PrepPartyOrgMember && counts[PrepRolePartyOrg] == 0 {
		add("prep_party_org_missing", fmt.Sprintf("%s要求社区党组织代表参加筹备组", p.Name), "the community Party organisation must be represented under this profile")
	}
	for _, m := range members {
		if m.Role == PrepRoleOwnerRep && !m.MeetsCandidateCriteria {
			add("prep_owner_rep_criteria", fmt.Sprintf("业主代表 %s 不符合业主委员会委员候选人条件", m.Key),
				fmt.Sprintf("owner representative %s does not meet the committee candidate criteria", m.Key))
		}
	}
	if counts[PrepRoleDeveloper] == 0 {
		warnings = append(warnings, Violation{
			Code:      "prep_developer_missing",
			Message:   "筹备组没有建设单位代表；建设单位不能参加时应记录原因",
			MessageEN: "the developer is not represented; record why it cannot take part",
		})
	}
	return violations, warnings
}

// Duty is one task of the preparatory group (GR 12, SH 16, BJ 32).
type Duty struct {
	Code    string
	Title   string
	TitleEN string
}

// PrepDuties lists the preparatory group's tasks, all published 15 days before the first
// meeting (see DutiesPublishBy). A fresh slice is returned on every call.
func PrepDuties() []Duty {
	return []Duty{
		{"confirm_owners", "确认并公示业主身份、业主人数及所拥有的专有部分面积", "Confirm and publish the owners, their number and their exclusive areas"},
		{"meeting_plan", "确定首次业主大会会议召开的时间、地点、形式和内容", "Set the first meeting's time, place, form and agenda"},
		{"draft_management_rules", "草拟管理规约", "Draft the management rules"},
		{"draft_rules_of_procedure", "草拟业主大会议事规则", "Draft the assembly's rules of procedure"},
		{"voting_rules", "确定首次业主大会会议表决规则", "Set the first meeting's voting rules"},
		{"candidates", "制定业主委员会委员候选人产生办法，确定候选人名单", "Set the candidate method and the candidate list"},
		{"election_method", "制定业主委员会选举办法", "Set the committee election method"},
	}
}

// FirstMeetingDeadline is when the first assembly meeting must have been held: the
// profile's FirstMeetingDays after the group was formed (SH 16, NB 22: 90; BJ: 60).
func FirstMeetingDeadline(formedAt time.Time, p JurisdictionProfile) time.Time {
	return PeriodEnd(formedAt, p.FirstMeetingDays, OfficialCalendar())
}

// MemberListDeadline is when the group's member list must have been published: the
// profile's MemberListPublishDays after the group was formed (BJ 31, SH 15: 7 days).
func MemberListDeadline(formedAt time.Time, p JurisdictionProfile) time.Time {
	return PeriodEnd(formedAt, p.MemberListPublishDays, OfficialCalendar())
}

// DutiesPublishBy is the last day on which the preparatory group's decisions may be
// published for a first meeting at meetingAt (15 days before it, SH 16, BJ 32): the
// Shanghai date NoticeDays before the meeting's date, returned as 00:00 Asia/Shanghai of
// that date in UTC. Publication at any moment of that day satisfies NoticeLeadSatisfied.
func DutiesPublishBy(meetingAt time.Time, p JurisdictionProfile) time.Time {
	return shanghaiDayOf(meetingAt).addDays(-p.NoticeDays).startUTC()
}
