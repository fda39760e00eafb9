package formation_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/app/services"
	"gongzhi/app/testkit"
	"gongzhi/models"
)

// fixture is a migrated database with the demo data, a roster on the demo estate, and
// the services on a manual clock (app/testkit).
type fixture struct {
	t      *testing.T
	ctx    context.Context
	db     dbtest.DB
	kit    *testkit.Env
	set    *services.Set
	svc    *formation.Service
	clock  *app.ManualClock
	estate int64 // 阳光花园 (national profile, street "street")
	other  int64 // 光明家园 (beijing profile, street "street2")
}

// sh is a wall time in Asia/Shanghai as UTC.
func sh(y int, m time.Month, d, hh, mm int) time.Time { return testkit.Shanghai(y, m, d, hh, mm) }

func newFixture(t *testing.T, db dbtest.DB) *fixture {
	t.Helper()
	kit := testkit.NewWith(t, db, testkit.Options{Clock: app.NewManualClock(sh(2026, 3, 2, 10, 0))}) // Monday
	f := &fixture{t: t, ctx: kit.Ctx, db: db, kit: kit, set: kit.Svc, svc: kit.Svc.Formation, clock: kit.Clock, estate: kit.Demo.EstateID}
	var other models.Estate
	if err := db.Where("name = ?", "光明家园").First(&other).Error; err != nil {
		t.Fatalf("second estate: %v", err)
	}
	f.other = other.ID
	f.importRoster(f.estate, "roster-small.csv")
	return f
}

// importRoster loads a fixture roster into an estate through the roster service.
func (f *fixture) importRoster(estateID int64, name string) {
	f.t.Helper()
	f.kit.ImportRoster(f.t, estateID, name)
}

// who is the principal of a demo account, as the auth service builds it.
func (f *fixture) who(username string) app.Principal {
	f.t.Helper()
	return f.kit.Principal(f.t, username)
}

// newEstate creates an estate under the demo community with a profile.
func (f *fixture) newEstate(name, profile string) int64 {
	f.t.Helper()
	return f.kit.NewEstate(f.t, name, profile)
}

// must fails the test on err.
func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("unexpected error: %v", err)
	}
}

// wantCode asserts an application error code.
func wantCode(t *testing.T, err error, code app.Code) *app.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", code)
	}
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("want %s error, got %v", code, err)
	}
	return ae
}

// detailFields lists the fields named by an error's details, sorted.
func detailFields(ae *app.Error) []string {
	var out []string
	for _, d := range ae.Details {
		out = append(out, d.Field)
	}
	slices.Sort(out)
	return out
}

// lawfulGroup is a national group of 7: four owner representatives meeting the
// criteria, the developer, the street office (leader) and the residents' committee.
func lawfulGroup() []formation.MemberInput {
	return []formation.MemberInput{
		{Role: rules.PrepRoleOwnerRep, Name: "王建国", Room: "1-1-101", MeetsCriteria: true, Duty: "业主身份核对"},
		{Role: rules.PrepRoleOwnerRep, Name: "李秀英", Room: "1-1-102", MeetsCriteria: true},
		{Role: rules.PrepRoleOwnerRep, Name: "刘洋", Room: "1-1-201", MeetsCriteria: true},
		{Role: rules.PrepRoleOwnerRep, Name: "陈静", Room: "1-1-202", MeetsCriteria: true},
		{Role: rules.PrepRoleDeveloper, Name: "赵开发", Organisation: "恒泰置业有限公司"},
		{Role: rules.PrepRoleStreetOffice, Name: "周主任", Organisation: "幸福街道办事处", Leader: true, Duty: "组长"},
		{Role: rules.PrepRoleResidentsCommittee, Name: "吴书记", Organisation: "和谐社区居委会"},
	}
}

// formGroup creates a prep group with members and returns its id.
func (f *fixture) formGroup(p app.Principal, estateID int64, members []formation.MemberInput) int64 {
	f.t.Helper()
	gid, err := f.svc.CreateGroup(f.ctx, p, estateID, formation.NewGroup{Kind: models.GroupKindPrep})
	f.must(err)
	for _, m := range members {
		if _, err := f.svc.AddMember(f.ctx, p, gid, m); err != nil {
			f.t.Fatalf("add member %s: %v", m.Name, err)
		}
	}
	return gid
}

// allMet records every criterion as met with evidence and a reviewer.
func (f *fixture) allMet(p app.Principal, candidateID int64) formation.Eligibility {
	f.t.Helper()
	var el formation.Eligibility
	for _, c := range rules.EligibilityCriteria() {
		var err error
		el, err = f.svc.RecordCheck(f.ctx, p, candidateID, formation.CheckInput{Criterion: c.Code, Met: true,
			Evidence: "核对材料：" + c.Code, Reviewer: "吴书记"})
		f.must(err)
	}
	return el
}

// qualify nominates a candidate, completes the checklist and the review.
func (f *fixture) qualify(p app.Principal, groupID int64, name, room string, ps formation.PoliticalStatus) int64 {
	f.t.Helper()
	id, err := f.svc.Nominate(f.ctx, p, groupID, formation.NominationInput{Name: name, Room: room, Kind: rules.NominationSelf,
		PoliticalStatus: ps, Occupation: "教师"})
	f.must(err)
	if el := f.allMet(p, id); !el.Eligible {
		f.t.Fatalf("%s not eligible after every criterion met: %+v", name, el)
	}
	f.must(f.svc.Review(f.ctx, p, id, formation.ReviewInput{Decision: formation.DecisionQualified, PartyOrgReviewer: "社区党委 孙委员"}))
	return id
}
