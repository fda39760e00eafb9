package worklist_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/testkit"
	"gongzhi/app/worklist"
	"gongzhi/models"
)

// now is the test's instant: Wednesday 2026-06-10 10:00 Beijing time.
var now = testkit.Shanghai(2026, 6, 10, 10, 0)

func create(t *testing.T, e *testkit.Env, v any) {
	t.Helper()
	if err := e.DB.DB.Create(v).Error; err != nil {
		t.Fatalf("creating %T: %v", v, err)
	}
}

func ptr[T any](v T) *T { return &v }

// seedWork stores one item of every kind in an estate, each due off days from now (in
// hours, so every kind has its own instant): the right order is worked out by the caller.
func seedWork(t *testing.T, e *testkit.Env, estateID int64, tag string) {
	t.Helper()
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	// votes: one to open in 2 days, one to publish overdue by 1 day
	draft := models.Vote{EstateID: estateID, Title: "draft " + tag, LegalProfile: string(rules.CivilCode2021), ProfileCode: "national", ProfileVersion: "t",
		Form: "written", Convenor: "committee", NoticePublishedAt: at(-24 * 13), OpensAt: at(48), ClosesAt: at(48 + 24*7), State: models.VoteDraft,
		CreatedAt: at(-24 * 13), UpdatedAt: at(-24 * 13)}
	create(t, e, &draft)
	closed := models.Vote{EstateID: estateID, Title: "closed " + tag, LegalProfile: string(rules.CivilCode2021), ProfileCode: "national", ProfileVersion: "t",
		Form: "written", Convenor: "committee", NoticePublishedAt: at(-24 * 30), OpensAt: at(-24 * 15), ClosesAt: at(-24 * 3), State: models.VoteClosed,
		PublishDueAt: ptr(at(-24)), CreatedAt: at(-24 * 30), UpdatedAt: at(-24 * 3)}
	create(t, e, &closed)
	// a formed committee: chair election overdue by 2 days (+1 hour), filing due in 3 days
	c := models.Committee{EstateID: estateID, Status: models.CommitteeFormed, Seats: 5, MinMembers: 5, AlternatesMax: 2, FirstElectedAt: at(-24 * 10),
		FormedAt: ptr(at(-24 * 10)), ChairElectBy: ptr(at(-47)), FilingDue: ptr(at(72)), ProfileCode: "national", ProfileVersion: "t",
		CreatedAt: at(-24 * 10), UpdatedAt: at(-24 * 10)}
	create(t, e, &c)
	el := models.CommitteeElection{CommitteeID: c.ID, EstateID: estateID, VoteID: closed.ID, ItemKey: "elect", Kind: models.ElectionFull, Seats: 5,
		ElectedCount: 5, CommitteeFormed: true, RecordedAt: at(-24 * 10)}
	create(t, e, &el)
	m := models.CommitteeMember{CommitteeID: c.ID, ElectionID: el.ID, VoteID: closed.ID, CandidateKey: "k1", Name: "委员" + tag, Role: models.RoleMember,
		ElectionRank: 1, Status: models.SeatServing, StartAt: at(-24 * 10), CreatedAt: at(-24 * 10), UpdatedAt: at(-24 * 10)}
	create(t, e, &m)
	// a negative-list case whose verification was due 5 days ago
	k := models.CommitteeCase{CommitteeID: c.ID, EstateID: estateID, MemberID: m.ID, Kind: models.CaseRemoval, Grounds: "N1", Facts: "facts",
		ReporterKind: "owner", ReportedAt: at(-24 * 20), Status: models.CaseReported, VerifyDue: ptr(at(-24 * 5)), CreatedAt: at(-24 * 20), UpdatedAt: at(-24 * 20)}
	create(t, e, &k)
	// a company with a complaint received 10 days ago (every stage missed), an exit case
	// raised 4 days ago and a handover due 6 days ago
	co := models.PropertyCompany{Name: "物业" + tag, USCC: "91110000MA00" + tag + "XXXX", RegisteredByOrgID: 1, CreatedAt: at(-24 * 400), UpdatedAt: at(-24 * 400)}
	create(t, e, &co)
	cp := models.Complaint{EstateID: estateID, CompanyID: co.ID, Source: "phone", Category: "other", Body: "漏水", ComplainantHash: "h" + tag,
		ReceivedAt: at(-24 * 10), Cycle: 1, CycleStartedAt: at(-24 * 10), CreatedAt: at(-24 * 10), UpdatedAt: at(-24 * 10)}
	create(t, e, &cp)
	x := models.ExitCase{EstateID: estateID, CompanyID: co.ID, RaisedAt: at(-24 * 4), EvaluatedOn: "2026-06-06", Evidence: "{}", Status: "open",
		CreatedAt: at(-24 * 4), UpdatedAt: at(-24 * 4)}
	create(t, e, &x)
	sc := models.ServiceContract{EstateID: estateID, CompanyID: co.ID, StartsOn: "2024-01-01", EndsOn: "2026-12-31", NoticeDays: 60,
		CreatedAt: at(-24 * 400), UpdatedAt: at(-24 * 400)}
	create(t, e, &sc)
	term := models.ContractTermination{ContractID: sc.ID, EstateID: estateID, CompanyID: co.ID, VoteID: closed.ID, ItemKey: "dismiss", Origin: "committee",
		ServedOn: "2026-04-01", NoticeDays: 60, TerminatedOn: "2026-05-31", CreatedAt: at(-24 * 70)}
	create(t, e, &term)
	h := models.Handover{TerminationID: term.ID, EstateID: estateID, ContractID: sc.ID, CompanyID: co.ID, Receiver: models.ReceiverCommittee,
		ReceiverName: "业主委员会", DueOn: "2026-06-03", Status: models.HandoverOpen, CreatedAt: at(-24 * 10), UpdatedAt: at(-24 * 10)}
	create(t, e, &h)
}

func setup(t *testing.T, e *testkit.Env) (app.Principal, app.Principal) {
	t.Helper()
	tr := testkit.NewTree(t, e.Svc.Orgs, e.Svc.Auth, []testkit.TreeEstate{{Name: "甲小区", Community: "communityA1"}, {Name: "乙小区", Community: "communityB1"}},
		[]testkit.TreeUser{{Name: "wl-street-a", Role: app.RoleStreet, Org: "streetA"}, {Name: "wl-district", Role: app.RoleDistrict, Org: "district"},
			{Name: "wl-auditor", Role: app.RoleAuditor, Org: "district"}}, "Pass-word-2026")
	e.Clock.Set(now)
	seedWork(t, e, tr.Estate["甲小区"], "A")
	seedWork(t, e, tr.Estate["乙小区"], "B")
	return e.Principal(t, "wl-street-a"), e.Principal(t, "wl-district")
}

// The kinds every estate of seedWork shows, oldest deadline first: the complaint's first
// stage (response, due minutes after receipt 10 days ago), the handover (due 24:00 of
// 06-03), the case (verification due 5 days ago), the exit case (raised 4 days ago), the
// chair election (47 hours ago), the publication (a day ago), the vote to open (in 2 days),
// the filing (in 3 days).
var wantOrder = []string{worklist.KindComplaint, worklist.KindHandover, worklist.KindCase, worklist.KindExitCase, "formation.chair",
	worklist.KindVotePublish, worklist.KindVoteOpen, "formation.filing"}

func TestWeekListsEveryKindOldestFirstInJurisdiction(t *testing.T) {
	testkit.Each(t, func(t *testing.T, e *testkit.Env) {
		street, district := setup(t, e)
		w, err := e.Svc.Worklist.Week(e.Ctx, street)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for i, it := range w.Items {
			if it.EstateName != "甲小区" {
				t.Errorf("street A sees %s of %s, outside its jurisdiction", it.Kind, it.EstateName)
			}
			if i > 0 && it.Due.Before(w.Items[i-1].Due) {
				t.Errorf("item %d (%s, %s) is due before item %d (%s, %s)", i, it.Kind, it.Due, i-1, w.Items[i-1].Kind, w.Items[i-1].Due)
			}
			if it.Link == "" {
				t.Errorf("%s has no link", it.Kind)
			}
			kinds = append(kinds, it.Kind)
			// One language each: the Chinese step has no Latin word, the English none
			// of Chinese (the case's step was "核实 / verification" in both).
			if it.Detail == "" || it.DetailEN == "" || strings.ContainsAny(it.Detail, "abcdefghijklmnopqrstuvwxyz") ||
				strings.IndexFunc(it.DetailEN, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
				t.Errorf("%s: step %q / %q is not one language each", it.Kind, it.Detail, it.DetailEN)
			}
		}
		if fmt.Sprint(kinds) != fmt.Sprint(wantOrder) {
			t.Errorf("kinds in order:\n got %v\nwant %v", kinds, wantOrder)
		}
		if w.Overdue != 6 || w.DueSoon != 2 {
			t.Errorf("overdue %d, due soon %d; want 6 and 2", w.Overdue, w.DueSoon)
		}
		// the district sees both estates: every kind twice
		wd, err := e.Svc.Worklist.Week(e.Ctx, district)
		if err != nil {
			t.Fatal(err)
		}
		if len(wd.Items) != 2*len(wantOrder) {
			t.Errorf("district: %d items, want %d", len(wd.Items), 2*len(wantOrder))
		}
		// a deadline further than the window is not listed: move the clock back 10 days
		// and the filing (due in 13 days then) and the vote to open drop out
		e.Clock.Set(now.AddDate(0, 0, -10))
		early, err := e.Svc.Worklist.Week(e.Ctx, street)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range early.Items {
			if it.Kind == "formation.filing" || it.Kind == worklist.KindVoteOpen {
				t.Errorf("%s due %s listed 10 days early", it.Kind, it.DueDay)
			}
		}
		e.Clock.Set(now)
		// an auditor has no work list
		if _, err := e.Svc.Worklist.Week(e.Ctx, e.Principal(t, "wl-auditor")); app.ErrorCode(err) != app.EForbidden {
			t.Errorf("auditor: %v, want forbidden", err)
		}
		// the export reads back with the same rows in the same order
		data, err := worklist.WeekXLSX(w)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(w.Items)+1 {
			t.Fatalf("xlsx: %d rows, want %d", len(rows), len(w.Items)+1)
		}
		for i, it := range w.Items {
			if rows[i+1][0] != it.DueDay || rows[i+1][3] != it.Kind || rows[i+1][4] != "甲小区" {
				t.Errorf("xlsx row %d: %v, want %s %s", i+1, rows[i+1], it.DueDay, it.Kind)
			}
		}
	})
}

func TestChartsDataInJurisdiction(t *testing.T) {
	testkit.Each(t, func(t *testing.T, e *testkit.Env) {
		street, _ := setup(t, e)
		stages, err := e.Svc.Worklist.ComplaintStages(e.Ctx, street)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, s := range stages {
			total += s.OnTime + s.Overdue
		}
		if total != 1 || stages[0].Stage != "response" || stages[0].Overdue != 1 {
			t.Errorf("complaint stages %+v: want the one complaint of 甲小区 overdue at response", stages)
		}
		fs, err := e.Svc.Worklist.FormationStages(e.Ctx, street)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range fs {
			n += s.Count
		}
		if n != 1 {
			t.Errorf("formation stages count %d estates, want 1 (甲小区)", n)
		}
		open, err := e.Svc.Worklist.OpenVotes(e.Ctx, street)
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 0 {
			t.Errorf("open votes %d, want 0", len(open))
		}
		data, err := worklist.OpenVotesXLSX(open)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		if len(rows) != 1 {
			t.Errorf("open votes xlsx: %d rows, want the header only", len(rows))
		}
	})
}

// TestWeekListsGroupDuties: an open preparatory group's undone checklist items show
// (the overdue member list, the meeting due in 5 days), the done one and the one past the
// window do not; a dissolved group's duties never show.
func TestWeekListsGroupDuties(t *testing.T) {
	testkit.Each(t, func(t *testing.T, e *testkit.Env) {
		tr := testkit.NewTree(t, e.Svc.Orgs, e.Svc.Auth, []testkit.TreeEstate{{Name: "丙小区", Community: "communityA2"}, {Name: "丁小区", Community: "communityA2"}},
			[]testkit.TreeUser{{Name: "wl-street-a", Role: app.RoleStreet, Org: "streetA"}}, "Pass-word-2026")
		e.Clock.Set(now)
		at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
		group := func(estate string, status string) int64 {
			g := models.FormationGroup{EstateID: tr.Estate[estate], Kind: models.GroupKindPrep, Status: status, ProfileCode: "national", ProfileVersion: "t",
				FormedAt: at(-24 * 30), MemberListDeadline: at(-24), MeetingDeadline: at(24 * 5), CreatedAt: at(-24 * 30), UpdatedAt: at(-24 * 30)}
			if status != models.GroupDissolved {
				g.OpenEstateID = ptr(tr.Estate[estate])
			} else {
				g.DissolvedAt = ptr(at(-24 * 2))
			}
			create(t, e, &g)
			for i, d := range []models.FormationDuty{
				{Code: "publish_member_list", Deadline: at(-24)},
				{Code: "hold_meeting", Deadline: at(24 * 5)},
				{Code: "draft_management_rules", Deadline: at(-24 * 3), DoneAt: ptr(at(-24 * 4))},
				{Code: "draft_rules_of_procedure", Deadline: at(24 * 20)},
			} {
				d.GroupID, d.Position, d.CreatedAt, d.UpdatedAt = g.ID, i, at(-24*30), at(-24*30)
				create(t, e, &d)
			}
			return g.ID
		}
		open := group("丙小区", models.GroupForming)
		group("丁小区", models.GroupDissolved)
		w, err := e.Svc.Worklist.Week(e.Ctx, e.Principal(t, "wl-street-a"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range w.Items {
			got = append(got, fmt.Sprintf("%s %s %s %d %v", it.Kind, it.EstateName, it.Detail, it.Ref, it.Overdue))
		}
		want := []string{
			fmt.Sprintf("formation.duty 丙小区 公示小组成员名单、分工和联系方式 %d true", open),
			fmt.Sprintf("formation.duty 丙小区 召开首次业主大会会议 %d false", open),
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("items:\n got %q\nwant %q", got, want)
		}
	})
}
