package rules_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"gongzhi/app/rules"
)

func TestFormationDue(t *testing.T) {
	national := mustProfile(t, "national") // 50%, decide 30 days, form 60 days
	shanghai := mustProfile(t, "shanghai") // 50% or 2 years after first delivery
	// No application recorded: the deadlines are unknown, never counted from now
	// (TestPrepDeadlines covers them).
	now := shanghaiWall(2026, 3, 2, 10, 0)
	total := rules.MustParseArea("10000.00")

	tests := []struct {
		name          string
		profile       rules.JurisdictionProfile
		delivered     rules.Area
		total         rules.Area
		firstDelivery time.Time
		now           time.Time
		wantDue       bool
		wantPercent   string
		wantReason    string
		wantDecideBy  time.Time
		wantFormBy    time.Time
	}{
		{"exactly 50% delivered is due", national, rules.MustParseArea("5000.00"), total, time.Time{}, now,
			true, "50.00%", "达到 50% 的成立条件", time.Time{}, time.Time{}},
		{"0.01 m² short of 50% is not due", national, rules.MustParseArea("4999.99"), total, time.Time{}, now,
			false, "50.00%", "未达到 50%", time.Time{}, time.Time{}},
		{"all delivered", national, total, total, time.Time{}, now,
			true, "100.00%", "达到 50%", time.Time{}, time.Time{}},
		{"unknown total area", national, rules.MustParseArea("5000.00"), 0, time.Time{}, now,
			false, "0.00%", "建筑总面积未知", time.Time{}, time.Time{}},
		{"national profile ignores years since delivery", national, rules.MustParseArea("1000.00"), total,
			shanghaiWall(2020, 1, 1, 9, 0), now, false, "10.00%", "尚未达到", time.Time{}, time.Time{}},
		// First delivery Sat 2024-03-02 09:00 + 2 years = Mon 2026-03-02 09:00: deadlines run
		// from that moment (same day as now here).
		{"Shanghai: two years after first delivery", shanghai, rules.MustParseArea("1000.00"), total,
			shanghaiWall(2024, 3, 2, 9, 0), now, true, "10.00%", "首套房屋交付已满 2 年", time.Time{}, time.Time{}},
		{"Shanghai: deadlines run from the anniversary, not from now", shanghai, rules.MustParseArea("1000.00"), total,
			shanghaiWall(2024, 3, 2, 9, 0), shanghaiWall(2026, 6, 1, 9, 0), true, "10.00%", "已满 2 年",
			time.Time{}, time.Time{}},
		{"Shanghai: at the exact anniversary", shanghai, 0, total,
			shanghaiWall(2024, 3, 2, 9, 0), shanghaiWall(2026, 3, 2, 9, 0), true, "0.00%", "已满 2 年",
			time.Time{}, time.Time{}},
		{"Shanghai: a minute before the anniversary", shanghai, 0, total,
			shanghaiWall(2024, 3, 2, 9, 0), shanghaiWall(2026, 3, 2, 8, 59), false, "0.00%", "未满 2 年（2026-03-02 届满）",
			time.Time{}, time.Time{}},
		{"Shanghai: unknown first delivery, area decides", shanghai, rules.MustParseArea("6000.00"), total,
			time.Time{}, now, true, "60.00%", "首套房屋交付时间未知", time.Time{}, time.Time{}},
		// Both hold: the anniversary (2025-09-10 09:00, a Wednesday) is the latest the estate
		// can have become due; +30 = Fri Oct 10 2025; +60 = Sun Nov 9 -> Mon Nov 10.
		{"Shanghai: both area and years", shanghai, rules.MustParseArea("7000.00"), total,
			shanghaiWall(2023, 9, 10, 9, 0), now, true, "70.00%", "已满 2 年",
			time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.FormationDue(tt.profile, tt.delivered, tt.total, tt.firstDelivery, tt.now, rules.PrepDates{})
			if got.Due != tt.wantDue {
				t.Errorf("Due = %v, want %v (%s)", got.Due, tt.wantDue, got.Reason)
			}
			if got.DeliveredPercent != tt.wantPercent {
				t.Errorf("DeliveredPercent = %q, want %q", got.DeliveredPercent, tt.wantPercent)
			}
			if !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, tt.wantReason)
			}
			if !got.DecideBy.Equal(tt.wantDecideBy) {
				t.Errorf("DecideBy = %v, want %v", got.DecideBy.In(rules.Shanghai()), tt.wantDecideBy.In(rules.Shanghai()))
			}
			if !got.FormBy.Equal(tt.wantFormBy) {
				t.Errorf("FormBy = %v, want %v", got.FormBy.In(rules.Shanghai()), tt.wantFormBy.In(rules.Shanghai()))
			}
		})
	}
}

// prepGroup builds a group: owners owner representatives meeting the criteria, then the
// listed other roles; the first street office member is the leader.
func prepGroup(owners int, others ...rules.PrepRole) []rules.PrepMember {
	var members []rules.PrepMember
	for i := range owners {
		members = append(members, rules.PrepMember{Key: "owner-" + string(rune('a'+i)), Role: rules.PrepRoleOwnerRep, MeetsCandidateCriteria: true})
	}
	leaderSet := false
	for i, role := range others {
		m := rules.PrepMember{Key: string(role) + "-" + string(rune('a'+i)), Role: role}
		if role == rules.PrepRoleStreetOffice && !leaderSet {
			m.Leader, leaderSet = true, true
		}
		members = append(members, m)
	}
	return members
}

func violationCodes(t *testing.T, vs []rules.Violation) []string {
	t.Helper()
	var codes []string
	for _, v := range vs {
		if v.Message == "" || v.MessageEN == "" {
			t.Errorf("violation %s lacks a message", v.Code)
		}
		codes = append(codes, v.Code)
	}
	slices.Sort(codes)
	return codes
}

func TestValidatePrepGroup(t *testing.T) {
	national := mustProfile(t, "national")
	beijing := mustProfile(t, "beijing") // the community Party organisation sits on the group
	const (
		owner = rules.PrepRoleOwnerRep
		dev   = rules.PrepRoleDeveloper
		so    = rules.PrepRoleStreetOffice
		rc    = rules.PrepRoleResidentsCommittee
		party = rules.PrepRolePartyOrg
	)
	withLeader := func(members []rules.PrepMember, role rules.PrepRole) []rules.PrepMember {
		for i := range members {
			members[i].Leader = members[i].Role == role
			if members[i].Leader {
				break
			}
		}
		return members
	}
	tests := []struct {
		name           string
		profile        rules.JurisdictionProfile
		members        []rules.PrepMember
		wantViolations []string
		wantWarnings   []string
	}{
		{"lawful group of 7", national, prepGroup(4, dev, so, rc), nil, nil},
		{"no developer is only a warning", national, prepGroup(3, so, rc), nil, []string{"prep_developer_missing"}},
		{"even size", national, prepGroup(3, dev, so, rc), []string{"prep_size_even"}, nil},
		{"owners exactly half of an even group is fine but the size is not", national, prepGroup(4, dev, so, rc, rc),
			[]string{"prep_size_even"}, nil},
		{"owners below half", national, prepGroup(2, dev, so, rc), []string{"prep_owner_share"}, nil},
		{"the one leader is from the developer", national,
			withLeader(prepGroup(4, dev, rc, rc), dev), []string{"prep_leader_role", "prep_street_office_missing"}, nil},
		{"leader from the developer with a street office member present", national,
			func() []rules.PrepMember {
				m := prepGroup(4, dev, so, rc)
				m[4].Leader, m[5].Leader = true, false
				return m
			}(), []string{"prep_leader_role"}, nil},
		{"no leader", national,
			func() []rules.PrepMember { m := prepGroup(4, dev, so, rc); m[5].Leader = false; return m }(),
			[]string{"prep_leader_missing"}, nil},
		{"two street office members, one of them leader", national, prepGroup(4, so, so, rc),
			nil, []string{"prep_developer_missing"}},
		{"two leaders marked", national,
			func() []rules.PrepMember { m := prepGroup(4, dev, so, rc); m[6].Leader = true; return m }(),
			[]string{"prep_leader_multiple"}, nil},
		{"no residents' committee", national, prepGroup(4, dev, so, so), []string{"prep_residents_committee_missing"}, nil},
		// BJ 31: the street office appoints a residents' committee staff member as leader.
		{"Beijing needs the Party organisation", beijing, withLeader(prepGroup(4, dev, so, rc), rc), []string{"prep_party_org_missing"}, nil},
		{"lawful Beijing group of 9", beijing, withLeader(prepGroup(5, dev, so, rc, party), rc), nil, nil},
		{"Beijing: a street office leader breaks BJ 31", beijing, prepGroup(5, dev, so, rc, party), []string{"prep_leader_role"}, nil},
		{"national: a residents' committee leader breaks GR 10", national, withLeader(prepGroup(4, dev, so, rc), rc),
			[]string{"prep_leader_role"}, nil},
		{"owner representative not meeting the criteria", national,
			func() []rules.PrepMember {
				m := prepGroup(4, dev, so, rc)
				m[1].MeetsCandidateCriteria = false
				return m
			}(),
			[]string{"prep_owner_rep_criteria"}, nil},
		{"duplicate member and unknown role", national,
			func() []rules.PrepMember {
				m := prepGroup(4, dev, so, rc)
				m[1].Key = m[0].Key
				m[4].Role = "lawyer"
				return m
			}(), []string{"prep_duplicate_member", "prep_unknown_role"}, []string{"prep_developer_missing"}},
		{"empty group", national, nil, []string{"prep_empty"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			violations, warnings := rules.ValidatePrepGroup(tt.profile, tt.members)
			want := slices.Clone(tt.wantViolations)
			slices.Sort(want)
			if got := violationCodes(t, violations); !slices.Equal(got, want) {
				t.Errorf("violations = %v, want %v", got, want)
			}
			if got := violationCodes(t, warnings); !slices.Equal(got, tt.wantWarnings) {
				t.Errorf("warnings = %v, want %v", got, tt.wantWarnings)
			}
		})
	}
}

func TestPrepLeaderRoleByProfile(t *testing.T) {
	want := map[string]rules.PrepRole{
		"national": rules.PrepRoleStreetOffice,       // GR 10
		"beijing":  rules.PrepRoleResidentsCommittee, // BJ 31
		"shanghai": rules.PrepRoleStreetOffice,       // SH 15
		"hangzhou": rules.PrepRoleStreetOffice,       // GR 10
	}
	for _, p := range rules.Profiles() {
		w, ok := want[p.Code]
		if !ok {
			t.Errorf("profile %s: no expectation", p.Code)
			continue
		}
		if p.PrepLeaderRole != w || p.LeaderRole() != w {
			t.Errorf("profile %s: prep_leader_role = %q (LeaderRole %q), want %q", p.Code, p.PrepLeaderRole, p.LeaderRole(), w)
		}
	}
	if got := (rules.JurisdictionProfile{}).LeaderRole(); got != rules.PrepRoleStreetOffice {
		t.Errorf("a profile naming no leader role defaults to %q, want the street office", got)
	}
	beijing := mustProfile(t, "beijing")
	violations, _ := rules.ValidatePrepGroup(beijing, prepGroup(5, rules.PrepRoleDeveloper, rules.PrepRoleStreetOffice,
		rules.PrepRoleResidentsCommittee, rules.PrepRolePartyOrg))
	if len(violations) != 1 || !strings.Contains(violations[0].Message, "居民委员会代表") {
		t.Errorf("Beijing street-office leader: violations %+v should name the residents' committee", violations)
	}
}

func TestPrepRole(t *testing.T) {
	for _, r := range []rules.PrepRole{rules.PrepRoleOwnerRep, rules.PrepRoleDeveloper, rules.PrepRoleStreetOffice,
		rules.PrepRoleResidentsCommittee, rules.PrepRolePartyOrg} {
		if !r.Valid() || r.Label() == string(r) {
			t.Errorf("role %q: Valid=%v Label=%q", r, r.Valid(), r.Label())
		}
	}
	if rules.PrepRole("lawyer").Valid() || rules.PrepRole("").Valid() {
		t.Error("unknown roles must not be valid")
	}
}

func TestPrepDuties(t *testing.T) {
	duties := rules.PrepDuties()
	wantCodes := []string{"confirm_owners", "meeting_plan", "draft_management_rules", "draft_rules_of_procedure",
		"voting_rules", "candidates", "election_method"}
	var codes []string
	for _, d := range duties {
		if d.Title == "" || d.TitleEN == "" {
			t.Errorf("duty %q lacks a title", d.Code)
		}
		codes = append(codes, d.Code)
	}
	if !slices.Equal(codes, wantCodes) {
		t.Errorf("codes = %v, want %v", codes, wantCodes)
	}
	duties[0].Code = "changed"
	if rules.PrepDuties()[0].Code != "confirm_owners" {
		t.Error("PrepDuties shares its slice between calls")
	}
}

func TestPrepDeadlines(t *testing.T) {
	national := mustProfile(t, "national") // first meeting 90 days, member list 7 days
	beijing := mustProfile(t, "beijing")   // first meeting 60 days
	tests := []struct {
		name string
		got  time.Time
		want time.Time
	}{
		// Fri 2026-07-03 + 90 = Thu Oct 1, National Day holiday to Oct 7; last day Thu Oct 8.
		{"first meeting, national, into National Day", rules.FirstMeetingDeadline(shanghaiWall(2026, 7, 3, 10, 0), national),
			shanghaiMidnight(2026, 10, 9)},
		// Fri 2026-07-03 + 60 = Tue Sep 1.
		{"first meeting, Beijing 60 days", rules.FirstMeetingDeadline(shanghaiWall(2026, 7, 3, 10, 0), beijing),
			shanghaiMidnight(2026, 9, 2)},
		// Mon 2026-03-02 + 7 = Mon Mar 9.
		{"member list 7 days", rules.MemberListDeadline(shanghaiWall(2026, 3, 2, 10, 0), national),
			shanghaiMidnight(2026, 3, 10)},
		// Thu 2026-09-24 + 7 = Thu Oct 1 (holiday) -> Thu Oct 8.
		{"member list into National Day", rules.MemberListDeadline(shanghaiWall(2026, 9, 24, 10, 0), national),
			shanghaiMidnight(2026, 10, 9)},
		// Meeting Mon 2026-04-20 19:00: 15 days earlier is Sun Apr 5 (publication is not a
		// period that ends, so rest days do not move it).
		{"duties published 15 days before the meeting", rules.DutiesPublishBy(shanghaiWall(2026, 4, 20, 19, 0), national),
			shanghaiMidnight(2026, 4, 5)},
		{"duties: meeting early in the morning", rules.DutiesPublishBy(shanghaiWall(2026, 4, 20, 0, 30), national),
			shanghaiMidnight(2026, 4, 5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.got.Equal(tt.want) {
				t.Errorf("got %v, want %v", tt.got.In(rules.Shanghai()), tt.want.In(rules.Shanghai()))
			}
		})
	}

	t.Run("publishing any time on DutiesPublishBy's day satisfies the notice lead", func(t *testing.T) {
		meeting := shanghaiWall(2026, 4, 20, 19, 0)
		by := rules.DutiesPublishBy(meeting, national)
		if !rules.NoticeLeadSatisfied(by.Add(23*time.Hour+59*time.Minute), meeting, national.NoticeDays) {
			t.Error("publication late on the last day should satisfy the lead")
		}
		if rules.NoticeLeadSatisfied(by.Add(24*time.Hour), meeting, national.NoticeDays) {
			t.Error("publication on the next day must not satisfy the lead")
		}
	})
}

// The preparatory-group deadlines run from the application and the decision (BJ 31, SH 15).
func TestPrepDeadlinesFromApplication(t *testing.T) {
	national, beijing, shanghai := mustProfile(t, "national"), mustProfile(t, "beijing"), mustProfile(t, "shanghai")
	// Applied Mon 2026-03-02: +30 = Wed Apr 1 (ends 24:00); +60 = Fri May 1, in the Labour
	// Day holiday May 1-5, so the last day becomes Wed May 6.
	applied := shanghaiWall(2026, 3, 2, 10, 0)
	decided := shanghaiWall(2026, 3, 20, 10, 0) // Fri
	for _, tc := range []struct {
		name         string
		p            rules.JurisdictionProfile
		d            rules.PrepDates
		decide, form time.Time
	}{
		{"nothing recorded", national, rules.PrepDates{}, time.Time{}, time.Time{}},
		{"national: both from the application", national, rules.PrepDates{AppliedAt: applied},
			shanghaiMidnight(2026, 4, 2), shanghaiMidnight(2026, 5, 7)},
		{"shanghai: 60 days from the application (SH 15)", shanghai, rules.PrepDates{AppliedAt: applied, DecidedAt: decided},
			shanghaiMidnight(2026, 4, 2), shanghaiMidnight(2026, 5, 7)},
		{"beijing: group 30 days from the decision (BJ 31)", beijing, rules.PrepDates{AppliedAt: applied, DecidedAt: decided},
			shanghaiMidnight(2026, 4, 2), rules.PeriodEnd(decided, 30, rules.OfficialCalendar())},
		{"beijing: no decision yet", beijing, rules.PrepDates{AppliedAt: applied}, shanghaiMidnight(2026, 4, 2), time.Time{}},
	} {
		decide, form := rules.PrepDeadlines(tc.p, tc.d)
		if !decide.Equal(tc.decide) || !form.Equal(tc.form) {
			t.Errorf("%s: decide by %v form by %v, want %v %v", tc.name, decide, form, tc.decide, tc.form)
		}
	}
}
