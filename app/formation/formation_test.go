package formation_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/app/testkit"
	"gongzhi/models"
)

func TestFormationStatusAndEstatesDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street, street2 := f.who("street"), f.who("street2")

		st, err := f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if !st.Due.Due || st.Stage != formation.StageDue || st.Due.DeliveredPercent != "100.00%" || st.Units != 24 {
			t.Fatalf("fully delivered roster: due %v stage %s delivered %s units %d", st.Due.Due, st.Stage, st.Due.DeliveredPercent, st.Units)
		}
		// No application recorded: no deadline yet (never counted from today).
		if !st.Due.DecideBy.IsZero() || !st.Due.FormBy.IsZero() {
			t.Errorf("deadlines without an application: %v / %v", st.Due.DecideBy, st.Due.FormBy)
		}
		// Applied 2026-03-02 + 30 days = Wed 2026-04-01; + 60 = Fri May 1 (Labour Day) -> Wed May 6.
		f.must(f.svc.RecordApplication(f.ctx, street, f.estate, formation.ApplicationInput{AppliedAt: sh(2026, 3, 2, 9, 0)}))
		st, err = f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if !st.Due.DecideBy.Equal(sh(2026, 4, 2, 0, 0)) || !st.Due.FormBy.Equal(sh(2026, 5, 7, 0, 0)) || st.AppliedDay != "2026-03-02" {
			t.Errorf("deadlines %v / %v applied %s", st.Due.DecideBy, st.Due.FormBy, st.AppliedDay)
		}

		// Building 2 not delivered: 1328.76 of 2696.04 m² delivered is 49.29%, below 50%.
		f.must(db.Model(&models.Unit{}).Where("estate_id = ? AND room_key LIKE ?", f.estate, "2-%").Update("delivered", false).Error)
		st, err = f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if st.Due.Due || st.Stage != formation.StageNotDue || st.DeliveredArea.String() != "1328.76" || st.TotalArea.String() != "2696.04" {
			t.Errorf("half delivered: due %v stage %s delivered %s of %s", st.Due.Due, st.Stage, st.DeliveredArea, st.TotalArea)
		}

		// Shanghai: two years after the first delivery, even with nothing delivered on record.
		shEstate := f.newEstate("浦江苑", "shanghai")
		f.must(f.svc.SetFacts(f.ctx, street, shEstate, formation.FactsInput{FirstDeliveryAt: ptr(sh(2023, 9, 1, 9, 0))}))
		st, err = f.svc.Status(f.ctx, street, shEstate)
		f.must(err)
		if !st.Due.Due || !strings.Contains(st.Due.Reason, "首套房屋交付已满 2 年") {
			t.Errorf("Shanghai two years: due %v (%s)", st.Due.Due, st.Due.Reason)
		}
		wantCode(t, f.svc.SetFacts(f.ctx, street, shEstate, formation.FactsInput{FirstDeliveryAt: ptr(sh(2026, 4, 1, 0, 0))}), app.EInvalid)

		due, err := f.svc.EstatesDue(f.ctx, street)
		f.must(err)
		if names := dueNames(due); !slices.Equal(names, []string{"浦江苑"}) {
			t.Errorf("street sees due estates %v", names)
		}
		due, err = f.svc.EstatesDue(f.ctx, street2)
		f.must(err)
		if names := dueNames(due); len(names) != 0 {
			t.Errorf("street2 sees due estates %v", names)
		}
		// A formed group takes the estate off the list.
		f.formGroup(street, shEstate, nil)
		due, err = f.svc.EstatesDue(f.ctx, street)
		f.must(err)
		if len(due) != 0 {
			t.Errorf("an estate with a group is still listed as due: %v", dueNames(due))
		}
	})
}

func dueNames(list []formation.FormationStatus) []string {
	var out []string
	for _, st := range list {
		out = append(out, st.Estate.Name)
	}
	slices.Sort(out)
	return out
}

func ptr[T any](v T) *T { return &v }

func TestPrepGroupCompositionRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		owner := func(name, room string) formation.MemberInput {
			return formation.MemberInput{Role: rules.PrepRoleOwnerRep, Name: name, Room: room, MeetsCriteria: true}
		}
		body := func(role rules.PrepRole, name string, leader bool) formation.MemberInput {
			return formation.MemberInput{Role: role, Name: name, Leader: leader}
		}
		tests := []struct {
			name           string
			members        []formation.MemberInput
			wantViolations []string
			wantWarnings   []string
		}{
			{"lawful group of 7", lawfulGroup(), nil, nil},
			{"even size", lawfulGroup()[1:], []string{"prep_size_even"}, nil},
			{"owners below half", append(lawfulGroup()[2:], body(rules.PrepRoleResidentsCommittee, "郑干事", false),
				body(rules.PrepRoleResidentsCommittee, "冯干事", false)), []string{"prep_owner_share"}, nil},
			{"leader not from the street office", func() []formation.MemberInput {
				m := lawfulGroup()
				m[5].Leader, m[6].Leader = false, true
				return m
			}(), []string{"prep_leader_role"}, nil},
			{"no leader", func() []formation.MemberInput {
				m := lawfulGroup()
				m[5].Leader = false
				return m
			}(), []string{"prep_leader_missing"}, nil},
			{"owner representative not meeting the criteria", func() []formation.MemberInput {
				m := lawfulGroup()
				m[0].MeetsCriteria = false
				return m
			}(), []string{"prep_owner_rep_criteria"}, nil},
			{"no developer is a warning only", []formation.MemberInput{owner("王建国", "1-1-101"), owner("李秀英", "1-1-102"),
				owner("刘洋", "1-1-201"), body(rules.PrepRoleStreetOffice, "周主任", true), body(rules.PrepRoleResidentsCommittee, "吴书记", false)},
				nil, []string{"prep_developer_missing"}},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				estate := f.newEstate("组成测试"+string(rune('A'+i)), "national")
				f.importRoster(estate, "roster-small.csv")
				gid := f.formGroup(street, estate, tt.members)
				gv, err := f.svc.Group(f.ctx, street, gid)
				f.must(err)
				if got := codes(gv.Violations); !slices.Equal(got, sorted(tt.wantViolations)) {
					t.Errorf("shown violations %v, want %v", got, tt.wantViolations)
				}
				res, err := f.svc.PublishMemberList(f.ctx, street, gid)
				if len(tt.wantViolations) > 0 {
					ae := wantCode(t, err, app.EInvalid)
					if got := detailFields(ae); !slices.Equal(got, sorted(tt.wantViolations)) {
						t.Errorf("422 names %v, want %v", got, tt.wantViolations)
					}
					return
				}
				f.must(err)
				if got := codes(res.Warnings); !slices.Equal(got, tt.wantWarnings) {
					t.Errorf("warnings %v, want %v", got, tt.wantWarnings)
				}
				if res.Version != 1 || res.Late {
					t.Errorf("publication %+v", res)
				}
			})
		}

		t.Run("Beijing needs the Party organisation and a residents' committee leader", func(t *testing.T) {
			p := f.who("street2")
			f.importRoster(f.other, "roster-small.csv")
			m := lawfulGroup() // street office leads: wrong in Beijing, and no Party organisation
			gid := f.formGroup(p, f.other, m)
			ae := wantCode(t, func() error { _, err := f.svc.PublishMemberList(f.ctx, p, gid); return err }(), app.EInvalid)
			if got := detailFields(ae); !slices.Equal(got, []string{"prep_leader_role", "prep_party_org_missing"}) {
				t.Errorf("Beijing violations %v", got)
			}
			gv, err := f.svc.Group(f.ctx, p, gid)
			f.must(err)
			var rc int64
			for _, mem := range gv.Members {
				if mem.Role == string(rules.PrepRoleResidentsCommittee) {
					rc = mem.ID
				}
			}
			f.must(f.svc.UpdateMember(f.ctx, p, rc, formation.MemberInput{Role: rules.PrepRoleResidentsCommittee, Name: "吴书记", Leader: true}))
			_, err = f.svc.AddMember(f.ctx, p, gid, formation.MemberInput{Role: rules.PrepRoleOwnerRep, Name: "邱博", Room: "2-1-202", MeetsCriteria: true})
			f.must(err)
			_, err = f.svc.AddMember(f.ctx, p, gid, formation.MemberInput{Role: rules.PrepRolePartyOrg, Name: "孙委员", Organisation: "光明社区党委"})
			f.must(err)
			res, err := f.svc.PublishMemberList(f.ctx, p, gid)
			f.must(err)
			if len(res.Warnings) != 0 {
				t.Errorf("lawful Beijing group of 9 warns %v", codes(res.Warnings))
			}
		})
	})
}

func codes(vs []rules.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Code)
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestMemberListAndDutyDeadlines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		gid := f.formGroup(street, f.estate, lawfulGroup()) // formed Mon 2026-03-02 10:00

		gv, err := f.svc.Group(f.ctx, street, gid)
		f.must(err)
		// Member list within 7 days: last day Mon Mar 9. First meeting within 90 days:
		// Mar 2 + 90 = Sun May 31 -> Mon Jun 1.
		if !gv.MemberListDeadline.Equal(sh(2026, 3, 10, 0, 0)) || !gv.MeetingDeadline.Equal(sh(2026, 6, 2, 0, 0)) {
			t.Fatalf("deadlines: member list %v, meeting %v", gv.MemberListDeadline, gv.MeetingDeadline)
		}
		duty := func(gv formation.GroupView, code string) formation.DutyView {
			for _, d := range gv.Duties {
				if d.Code == code {
					return d
				}
			}
			t.Fatalf("no duty %s", code)
			return formation.DutyView{}
		}
		// GR 12 duties are published 15 days before the last allowed meeting day (Jun 1): May 17.
		if d := duty(gv, "meeting_plan"); d.LastDay != "2026-05-17" || d.Overdue {
			t.Errorf("meeting_plan last day %s overdue %v", d.LastDay, d.Overdue)
		}
		if len(gv.Duties) != 9 || gv.Duties[0].Code != formation.DutyPublishMemberList || gv.Duties[8].Code != formation.DutyHoldMeeting {
			t.Errorf("checklist %d items", len(gv.Duties))
		}

		// Planning the meeting for Mon Apr 20 moves the GR 12 duties to Apr 5.
		f.must(f.svc.UpdateGroup(f.ctx, street, gid, formation.GroupUpdate{PlannedMeetingAt: ptr(sh(2026, 4, 20, 19, 0))}))
		// A meeting after the deadline is refused.
		wantCode(t, f.svc.UpdateGroup(f.ctx, street, gid, formation.GroupUpdate{PlannedMeetingAt: ptr(sh(2026, 6, 2, 9, 0))}), app.EInvalid)

		// On Tue Mar 10 the member list is overdue.
		f.clock.Set(sh(2026, 3, 10, 9, 0))
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if !gv.MemberListOverdue || !duty(gv, formation.DutyPublishMemberList).Overdue {
			t.Error("member list not flagged overdue on day 8")
		}
		if d := duty(gv, "meeting_plan"); d.LastDay != "2026-04-05" {
			t.Errorf("planned meeting moved meeting_plan to %s", d.LastDay)
		}
		res, err := f.svc.PublishMemberList(f.ctx, street, gid)
		f.must(err)
		if !res.Late {
			t.Error("publication on day 8 not flagged late")
		}
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if gv.MemberListOverdue || !gv.MemberListLate || duty(gv, formation.DutyPublishMemberList).DoneAt == nil {
			t.Errorf("after publication: overdue %v late %v", gv.MemberListOverdue, gv.MemberListLate)
		}
		// Publishing an unchanged list again is a conflict; a change needs a new version.
		_, err = f.svc.PublishMemberList(f.ctx, street, gid)
		wantCode(t, err, app.EConflict)
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		f.must(f.svc.UpdateMember(f.ctx, street, gv.Members[1].ID, formation.MemberInput{Role: rules.PrepRoleOwnerRep, Name: "张伟", Room: "1-1-102", MeetsCriteria: true}))
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if !gv.NeedsRepublication {
			t.Error("a changed member list is not flagged for publication")
		}
		res, err = f.svc.PublishMemberList(f.ctx, street, gid)
		f.must(err)
		if res.Version != 2 {
			t.Errorf("version %d", res.Version)
		}

		// Duties: evidence required; overdue after the deadline; done once.
		wantCode(t, f.svc.CompleteDuty(f.ctx, street, gid, "meeting_plan", formation.DutyInput{}), app.EInvalid)
		f.clock.Set(sh(2026, 4, 6, 9, 0))
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if !duty(gv, "meeting_plan").Overdue || duty(gv, "confirm_owners").LastDay != "2026-04-05" {
			t.Error("meeting_plan not overdue on Apr 6")
		}
		f.must(f.svc.CompleteDuty(f.ctx, street, gid, "meeting_plan", formation.DutyInput{Evidence: "会议通知（2026-04-06 张贴）"}))
		wantCode(t, f.svc.CompleteDuty(f.ctx, street, gid, "meeting_plan", formation.DutyInput{Evidence: "again"}), app.EConflict)
		wantCode(t, f.svc.CompleteDuty(f.ctx, street, gid, "no_such_duty", formation.DutyInput{Evidence: "x"}), app.ENotFound)
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if d := duty(gv, "meeting_plan"); d.Overdue || !d.Late || d.Evidence == "" {
			t.Errorf("done late: %+v", d)
		}

		// Objections to the member list, answered by the street office.
		oid, err := f.svc.AddObjection(f.ctx, street, gid, formation.ObjectionInput{Kind: models.ObjectionMemberList, Content: "张伟不是业主", Submitter: "匿名"})
		f.must(err)
		wantCode(t, f.svc.AnswerObjection(f.ctx, f.who("community"), oid, "经核实"), app.EForbidden)
		f.must(f.svc.AnswerObjection(f.ctx, street, oid, "经核对不动产登记，张伟为 1-1-102 共有人。"))
		wantCode(t, f.svc.AnswerObjection(f.ctx, street, oid, "again"), app.EConflict)
	})
}

func TestEligibilityChecklistAndReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street, community := f.who("street"), f.who("community")
		gid := f.formGroup(street, f.estate, lawfulGroup())

		_, err := f.svc.Nominate(f.ctx, community, gid, formation.NominationInput{Name: "侯红红", Room: "9-9-999", Kind: rules.NominationSelf, PoliticalStatus: formation.PoliticalMasses})
		wantCode(t, err, app.EInvalid) // no such room
		_, err = f.svc.Nominate(f.ctx, community, gid, formation.NominationInput{Name: "侯红红", Room: "1-1-301", Kind: rules.NominationJoint, PoliticalStatus: formation.PoliticalMasses})
		wantCode(t, err, app.EInvalid) // a joint nomination names its owners
		cid, err := f.svc.Nominate(f.ctx, community, gid, formation.NominationInput{Name: "侯红红", Room: "1-1-301", Kind: rules.NominationJoint,
			Nominators: "张宇、廖杰涵、郭燕强", PoliticalStatus: formation.PoliticalCPCMember, Occupation: "会计"})
		f.must(err)
		_, err = f.svc.Nominate(f.ctx, community, gid, formation.NominationInput{Name: "侯红红", Room: "1-1-301", Kind: rules.NominationSelf, PoliticalStatus: formation.PoliticalMasses})
		wantCode(t, err, app.EConflict)

		cv, err := f.svc.Candidate(f.ctx, street, cid)
		f.must(err)
		if !cv.RosterMatch || !cv.PartyMember || cv.Status != models.CandidateNominated || len(cv.Checks) != 6 || len(cv.Eligibility.Pending) != 6 {
			t.Fatalf("new candidate: %+v", cv)
		}

		// Not every criterion reviewed: qualification refused, naming the pending ones.
		el, err := f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: "owner_in_area", Met: true, Evidence: "不动产权证 京(2020)第0001号", Reviewer: "吴书记"})
		f.must(err)
		if el.Eligible || len(el.Pending) != 5 {
			t.Errorf("after one check: %+v", el)
		}
		ae := wantCode(t, f.svc.Review(f.ctx, community, cid, formation.ReviewInput{Decision: formation.DecisionQualified, PartyOrgReviewer: "孙委员"}), app.EInvalid)
		if len(ae.Details) != 5 {
			t.Errorf("refusal names %v", detailFields(ae))
		}
		// A review needs the reviewer.
		_, err = f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: "full_capacity", Met: true, Evidence: "x"})
		wantCode(t, err, app.EInvalid)
		_, err = f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: "nonsense", Met: true, Evidence: "x", Reviewer: "y"})
		wantCode(t, err, app.EInvalid)

		// Met without evidence stays pending; a failed criterion blocks.
		el, err = f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: "full_capacity", Met: true, Reviewer: "吴书记"})
		f.must(err)
		if !slices.Contains(el.Pending, "full_capacity") {
			t.Errorf("met without evidence should be pending: %+v", el)
		}
		for _, c := range rules.EligibilityCriteria() {
			_, err := f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: c.Code, Met: true, Evidence: "材料 " + c.Code, Reviewer: "吴书记"})
			f.must(err)
		}
		el, err = f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: "no_uncorrected_violation", Met: false, Evidence: "欠交物业费 3 个月", Reviewer: "物业核查"})
		f.must(err)
		if el.Eligible || !slices.Equal(el.Failed, []string{"no_uncorrected_violation"}) {
			t.Errorf("failed criterion: %+v", el)
		}
		wantCode(t, f.svc.Review(f.ctx, community, cid, formation.ReviewInput{Decision: formation.DecisionQualified, PartyOrgReviewer: "孙委员"}), app.EInvalid)

		// Arrears paid: a new review supersedes the failed one; the history keeps both.
		el, err = f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: "no_uncorrected_violation", Met: true, Evidence: "已补缴，物业收据 No.88", Reviewer: "物业核查"})
		f.must(err)
		if !el.Eligible {
			t.Errorf("after correction: %+v", el)
		}
		hist, err := f.svc.CheckHistory(f.ctx, street, cid)
		f.must(err)
		superseded := 0
		for _, h := range hist {
			if h.SupersededAt != nil {
				superseded++
			}
		}
		if len(hist) != 10 || superseded != 4 {
			t.Errorf("history %d reviews, %d superseded", len(hist), superseded)
		}

		// The Party organisation reviewer is required; disqualifying needs a reason.
		wantCode(t, f.svc.Review(f.ctx, community, cid, formation.ReviewInput{Decision: formation.DecisionQualified}), app.EInvalid)
		wantCode(t, f.svc.Review(f.ctx, community, cid, formation.ReviewInput{Decision: formation.DecisionDisqualified, PartyOrgReviewer: "孙委员"}), app.EInvalid)
		f.must(f.svc.Review(f.ctx, community, cid, formation.ReviewInput{Decision: formation.DecisionQualified, PartyOrgReviewer: "社区党委 孙委员"}))
		cv, err = f.svc.Candidate(f.ctx, street, cid)
		f.must(err)
		if cv.Status != models.CandidateQualified || cv.PartyOrgReviewer != "社区党委 孙委员" || cv.PartyOrgReviewedAt == nil || cv.ReviewedBy != "community" {
			t.Errorf("after review: %+v", cv.Candidate)
		}
		// A new review after the decision puts the candidate back under review.
		_, err = f.svc.RecordCheck(f.ctx, community, cid, formation.CheckInput{Criterion: "not_judgment_defaulter", Met: false, Evidence: "中国执行信息公开网查询结果", Reviewer: "吴书记"})
		f.must(err)
		cv, err = f.svc.Candidate(f.ctx, street, cid)
		f.must(err)
		if cv.Status != models.CandidateUnderReview {
			t.Errorf("status after a new failed review: %s", cv.Status)
		}
	})
}

func TestCandidateListPublicationPeriods(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		gid := f.formGroup(street, f.estate, lawfulGroup())
		a := f.qualify(street, gid, "侯红红", "1-1-301", formation.PoliticalCPCMember)

		// The member list comes first.
		_, err := f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 4, 20, 9, 0)})
		wantCode(t, err, app.EConflict)
		_, err = f.svc.PublishMemberList(f.ctx, street, gid)
		f.must(err)

		// An unreviewed candidate blocks publication.
		b, err := f.svc.Nominate(f.ctx, street, gid, formation.NominationInput{Name: "张宇", Room: "1-1-302", Kind: rules.NominationPartyOrg,
			Nominators: "和谐社区党委", PoliticalStatus: formation.PoliticalMasses, Occupation: "工程师"})
		f.must(err)
		_, err = f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 4, 20, 9, 0)})
		wantCode(t, err, app.EInvalid)
		f.allMet(street, b)
		f.must(f.svc.Review(f.ctx, street, b, formation.ReviewInput{Decision: formation.DecisionQualified, PartyOrgReviewer: "孙委员"}))

		// Published Mon Mar 2: the vote may be on Mar 17 (15 days later), not on Mar 16.
		_, err = f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 3, 16, 23, 0)})
		ae := wantCode(t, err, app.EInvalid)
		if detailFields(ae)[0] != "vote_planned_at" || !strings.Contains(testkit.Chinese(ae.Msg), "15 日前") {
			t.Errorf("lead refusal: %v", ae)
		}
		// Shown at least 7 days: until 24:00 Mar 9, not Mar 8.
		_, err = f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 3, 17, 9, 0), ShowUntil: ptr(sh(2026, 3, 9, 0, 0))})
		ae = wantCode(t, err, app.EInvalid)
		if detailFields(ae)[0] != "show_until" {
			t.Errorf("show refusal: %v", ae)
		}
		// The election must lie within the meeting deadline (Jun 1).
		_, err = f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 6, 2, 9, 0)})
		wantCode(t, err, app.EInvalid)

		res, err := f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 3, 17, 9, 0)})
		f.must(err)
		if res.Version != 1 || !res.ShowUntil.Equal(sh(2026, 3, 10, 0, 0)) {
			t.Errorf("first publication %+v", res)
		}
		gv, err := f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if gv.CurrentList == nil || len(gv.CurrentList.Entries) != 2 || gv.CurrentList.Stale || !gv.CurrentList.Showing || gv.CurrentList.ShowLastDay != "2026-03-09" {
			t.Fatalf("current list %+v", gv.CurrentList)
		}
		if e := gv.CurrentList.Entries[0]; e.Name != "侯红红" || e.Room != "1-1-301" || e.PoliticalLabel != "中共党员" || e.Occupation != "教师" {
			t.Errorf("entry %+v", e)
		}

		// An objection answered publicly; the candidate withdraws; the list is stale and
		// publishing again makes version 2 and supersedes version 1.
		oid, err := f.svc.AddObjection(f.ctx, street, gid, formation.ObjectionInput{Kind: models.ObjectionCandidateList, CandidateID: b, Content: "张宇在物业公司兼职", Submitter: "业主甲"})
		f.must(err)
		f.must(f.svc.AnswerObjection(f.ctx, f.who("community"), oid, "经核实属实，张宇已主动退出候选。"))
		f.must(f.svc.WithdrawCandidate(f.ctx, street, b, "因异议退出"))
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if !gv.CurrentList.Stale || !gv.Slate.Stale {
			t.Error("withdrawal did not make the list stale")
		}
		_, _, err = f.svc.SlateRefs(f.ctx, street, gid)
		wantCode(t, err, app.EConflict)
		f.clock.Set(sh(2026, 3, 3, 9, 0))
		res, err = f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 3, 18, 9, 0)})
		f.must(err)
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if res.Version != 2 || len(gv.Lists) != 2 || gv.Lists[1].Status != models.ListSuperseded || len(gv.CurrentList.Entries) != 1 || gv.CurrentList.Stale {
			t.Errorf("republication: %+v lists %+v", res, gv.Lists)
		}
		keys, refs, err := f.svc.SlateRefs(f.ctx, street, gid)
		f.must(err)
		if !slices.Equal(keys, []string{formation.CandidateKey(a)}) || refs[keys[0]].CandidateID != a {
			t.Errorf("slate refs %v %v", keys, refs)
		}

		pub, err := f.svc.Public(f.ctx, f.estate)
		f.must(err)
		if pub.CandidateList == nil || len(pub.CandidateList.Entries) != 1 || len(pub.Answered) != 1 || pub.Answered[0].Submitter != "" || len(pub.Members) != 7 {
			t.Errorf("public view: %+v", pub)
		}
		_, err = f.svc.Public(f.ctx, f.other)
		wantCode(t, err, app.ENotFound)
	})
}

func TestPartyRatioWarnings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		gid := f.formGroup(street, f.estate, lawfulGroup())
		_, err := f.svc.PublishMemberList(f.ctx, street, gid)
		f.must(err)
		people := []struct {
			name, room string
			ps         formation.PoliticalStatus
		}{
			{"侯红红", "1-1-301", formation.PoliticalCPCMember},
			{"张宇", "1-1-302", formation.PoliticalMasses},
			{"廖杰涵", "1-1-401", formation.PoliticalCPCProbationary},
			{"郭燕强", "1-1-402", formation.PoliticalDemocraticParty},
		}
		ids := map[string]int64{}
		for _, p := range people {
			ids[p.name] = f.qualify(street, gid, p.name, p.room, p.ps)
		}
		// 2 of 4 (a full and a probationary member) is exactly 50%: no warning.
		gv, err := f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if r := gv.Slate.Ratio; r.Party != 2 || r.Total != 4 || r.BelowTarget || len(r.Warnings) != 0 || gv.Slate.Published {
			t.Errorf("exactly 50%%: %+v", r)
		}
		// A fifth, not a member: 2 of 5 is below 50%, a warning, and publication goes ahead.
		ids["江红博"] = f.qualify(street, gid, "江红博", "1-1-501", formation.PoliticalIndependent)
		_, err = f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 3, 20, 9, 0)})
		f.must(err)
		gv, err = f.svc.Group(f.ctx, street, gid)
		f.must(err)
		if r := gv.Slate.Ratio; !gv.Slate.Published || r.Party != 2 || r.Total != 5 || !r.BelowTarget || len(r.Warnings) != 1 || r.Percent != "40.00%" {
			t.Errorf("2 of 5: %+v", r)
		}

		// The committee: elected all five; the chair is not a Party member.
		keys, refs, err := f.svc.SlateRefs(f.ctx, street, gid)
		f.must(err)
		res := electAll(keys, 5, 0)
		cid, err := f.svc.RecordElection(f.ctx, street, f.estate, 101, "committee", res, refs)
		f.must(err)
		cv, err := f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if cv.Status != models.CommitteeFormed || cv.Ratio.Party != 2 || !cv.Ratio.BelowTarget || cv.Ratio.ChairKnown {
			t.Fatalf("committee %s ratio %+v", cv.Status, cv.Ratio)
		}
		memberID := func(name string) int64 {
			for _, m := range cv.Members {
				if m.Name == name {
					return m.ID
				}
			}
			t.Fatalf("no member %s", name)
			return 0
		}
		_, err = f.svc.SetOfficers(f.ctx, street, cid, formation.OfficersInput{ChairMemberID: memberID("张宇"), ViceChairMemberIDs: []int64{memberID("侯红红")}})
		f.must(err)
		cv, err = f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if !cv.Ratio.ChairNotParty || len(cv.Ratio.Warnings) != 2 {
			t.Errorf("chair not a member: %+v", cv.Ratio)
		}
		_, err = f.svc.SetOfficers(f.ctx, street, cid, formation.OfficersInput{ChairMemberID: memberID("侯红红")})
		f.must(err)
		cv, err = f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if cv.Ratio.ChairNotParty || len(cv.Ratio.Warnings) != 1 || cv.Members[0].Role == "" {
			t.Errorf("Party member chair: %+v", cv.Ratio)
		}
	})
}

// electAll is a result electing the first seats keys in order and keeping the next
// alternates, as rules.Tally would report a clear count.
func electAll(keys []string, seats, alternates int) rules.ElectionResult {
	res := rules.ElectionResult{Key: "committee", Seats: seats, Candidates: map[string]rules.CandidateResult{},
		Elected: []string{}, Runoff: []string{}, Alternates: []string{}}
	for i, k := range keys {
		res.Candidates[k] = rules.CandidateResult{Key: k, Qualified: true, Rank: i + 1,
			Agree: rules.Count{Headcount: 15 - i, Area: rules.Area(200000 - 1000*i)}}
		switch {
		case i < seats:
			res.Elected = append(res.Elected, k)
		case i < seats+alternates:
			res.Alternates = append(res.Alternates, k)
		}
	}
	res.VacantSeats = max(seats-len(res.Elected), 0)
	res.CommitteeFormed = len(res.Elected) == seats
	return res
}

func TestJurisdictionAndRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		gid := f.formGroup(street, f.estate, lawfulGroup())
		gv, err := f.svc.Group(f.ctx, street, gid)
		f.must(err)
		memberID := gv.Members[0].ID
		cid, err := f.svc.Nominate(f.ctx, street, gid, formation.NominationInput{Name: "侯红红", Room: "1-1-301", Kind: rules.NominationSelf, PoliticalStatus: formation.PoliticalMasses})
		f.must(err)

		street2 := f.who("street2")
		_, err = f.svc.Group(f.ctx, street2, gid)
		wantCode(t, err, app.ENotFound)
		_, err = f.svc.Status(f.ctx, street2, f.estate)
		wantCode(t, err, app.ENotFound)
		_, err = f.svc.Candidate(f.ctx, street2, cid)
		wantCode(t, err, app.ENotFound)
		_, err = f.svc.AddMember(f.ctx, street2, gid, lawfulGroup()[0])
		wantCode(t, err, app.ENotFound)
		wantCode(t, f.svc.WithdrawMember(f.ctx, street2, memberID), app.ENotFound)
		_, err = f.svc.RecordCheck(f.ctx, street2, cid, formation.CheckInput{Criterion: "owner_in_area", Met: true, Evidence: "x", Reviewer: "y"})
		wantCode(t, err, app.ENotFound)
		_, err = f.svc.CreateGroup(f.ctx, street2, f.estate, formation.NewGroup{Kind: models.GroupKindPrep})
		wantCode(t, err, app.ENotFound)
		_, err = f.svc.PublishMemberList(f.ctx, street2, gid)
		wantCode(t, err, app.ENotFound)

		// Auditors and district staff read only; community staff do the candidate work
		// but do not compose the group; the committee account has no say in a prep group.
		auditor, district, community, committee := f.who("auditor"), f.who("district"), f.who("community"), f.who("committee")
		if _, err := f.svc.Group(f.ctx, auditor, gid); err != nil {
			t.Errorf("auditor cannot read: %v", err)
		}
		_, err = f.svc.AddMember(f.ctx, auditor, gid, lawfulGroup()[0])
		wantCode(t, err, app.EForbidden)
		_, err = f.svc.Nominate(f.ctx, district, gid, formation.NominationInput{Name: "张宇", Room: "1-1-302", Kind: rules.NominationSelf, PoliticalStatus: formation.PoliticalMasses})
		wantCode(t, err, app.EForbidden)
		_, err = f.svc.AddMember(f.ctx, community, gid, lawfulGroup()[0])
		wantCode(t, err, app.EForbidden)
		_, err = f.svc.Nominate(f.ctx, community, gid, formation.NominationInput{Name: "张宇", Room: "1-1-302", Kind: rules.NominationSelf, PoliticalStatus: formation.PoliticalMasses})
		f.must(err)
		_, err = f.svc.Nominate(f.ctx, committee, gid, formation.NominationInput{Name: "廖杰涵", Room: "1-1-401", Kind: rules.NominationSelf, PoliticalStatus: formation.PoliticalMasses})
		wantCode(t, err, app.EForbidden)
		_, err = f.svc.CreateGroup(f.ctx, street, f.estate, formation.NewGroup{Kind: models.GroupKindPrep})
		wantCode(t, err, app.EConflict) // one open group per estate
		_, err = f.svc.CreateGroup(f.ctx, street, f.estate, formation.NewGroup{Kind: models.GroupKindReelection})
		wantCode(t, err, app.EConflict) // no committee to re-elect
	})
}

func TestNoClockDrift(t *testing.T) {
	// The service keeps instants to the second so that both databases return them equal.
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		f.clock.Advance(123456789 * time.Nanosecond)
		gid := f.formGroup(f.who("street"), f.estate, nil)
		gv, err := f.svc.Group(f.ctx, f.who("street"), gid)
		f.must(err)
		if gv.FormedAt.Nanosecond() != 0 || !gv.FormedAt.Equal(f.clock.Now().Truncate(time.Second)) {
			t.Errorf("formed_at %v", gv.FormedAt)
		}
	})
}
