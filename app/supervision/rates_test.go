package supervision_test

import (
	"errors"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/property"
	"gongzhi/app/supervision"
	"gongzhi/app/testkit"
	"gongzhi/models"
)

// handTree builds, under a city of its own (the demo estates lie outside it):
//
//	district ── streetA ── communityA1: a1, a2, a3
//	         │          └─ communityA2: a4
//	         └─ streetB ── communityB1: b1, b2
//
// with the facts each rate counts, and one demo estate (outside the city) holding
// every fact, so that counting it would show. The clock stands at 2026-06-15 10:00
// Shanghai.
func handTree(t *testing.T, e *testkit.Env) testkit.Tree {
	t.Helper()
	now := testkit.Shanghai(2026, 6, 15, 10, 0)
	e.Clock.Set(now)
	tr := testkit.NewTree(t, e.Svc.Orgs, e.Svc.Auth, []testkit.TreeEstate{
		{Name: "a1", Community: "communityA1"}, {Name: "a2", Community: "communityA1"}, {Name: "a3", Community: "communityA1"},
		{Name: "a4", Community: "communityA2"}, {Name: "b1", Community: "communityB1"}, {Name: "b2", Community: "communityB1"},
	}, []testkit.TreeUser{
		{Name: "h9street", Role: app.RoleStreet, Org: "streetA"},
		{Name: "h9district", Role: app.RoleDistrict, Org: "district"},
		{Name: "h9community", Role: app.RoleCommunity, Org: "communityA1"},
		{Name: "h9committee", Role: app.RoleCommittee, Org: "communityA1", Estate: "a1"},
	}, "Passw0rd-h9-long")
	db := e.DB.DB
	outside := e.Demo.EstateID
	est := func(n string) int64 { return tr.Estate[n] }
	mk := func(v any) {
		t.Helper()
		if err := db.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	committee := func(id int64, status string) {
		mk(&models.Committee{EstateID: id, Status: status, Seats: 5, MinMembers: 5, FirstElectedAt: now, ProfileCode: "BJ", ProfileVersion: "1",
			CreatedAt: now, UpdatedAt: now})
	}
	committee(est("a1"), models.CommitteeFiled)
	committee(est("a2"), models.CommitteeFormed)
	committee(est("b1"), models.CommitteeFiled)
	committee(est("b2"), models.CommitteeEnded)
	committee(outside, models.CommitteeFiled)
	a3 := est("a3")
	mk(&models.TransitionalBody{EstateID: a3, OpenEstateID: &a3, Kind: models.TransitionalPMC, Reason: "r", Status: models.TransitionalActing,
		FormedAt: now, ProfileCode: "BJ", ProfileVersion: "1", CreatedAt: now, UpdatedAt: now})
	party := func(id int64, org, group bool) {
		mk(&models.EstatePartyFacts{EstateID: id, HasPartyOrg: org, PartyWorkGroup: group, RecordedOn: "2026-06-01", CreatedAt: now, UpdatedAt: now})
	}
	party(est("a1"), true, true)
	party(est("a2"), true, false)
	party(est("a3"), false, false)
	party(est("b1"), true, false)
	party(outside, true, true)
	company := models.PropertyCompany{Name: "h9 物业", USCC: "91110000H9TEST001X", RegisteredByOrgID: tr.Org["district"], CreatedAt: now, UpdatedAt: now}
	mk(&company)
	s := func(v string) *string { return &v }
	contract := func(id int64, starts, ends string, filed, terminated *string) {
		mk(&models.ServiceContract{EstateID: id, CompanyID: company.ID, StartsOn: starts, EndsOn: ends, NoticeDays: 60, FiledOn: filed,
			TerminatedOn: terminated, CreatedAt: now, UpdatedAt: now})
	}
	contract(est("a1"), "2025-01-01", "2027-12-31", s("2025-01-10"), nil)             // in force, filed: counts
	contract(est("a2"), "2025-01-01", "2027-12-31", nil, nil)                         // not filed
	contract(est("a3"), "2023-01-01", "2026-06-14", s("2023-01-05"), nil)             // ended yesterday
	contract(est("a4"), "2025-01-01", "2027-12-31", s("2025-01-05"), s("2026-06-01")) // terminated
	contract(est("b1"), "2026-06-15", "2028-06-14", s("2026-06-10"), nil)             // starts today: counts
	contract(outside, "2025-01-01", "2027-12-31", s("2025-01-10"), nil)
	survey := func(id int64, closed time.Time, resp, sat int) {
		mk(&models.SatisfactionSurvey{EstateID: id, CompanyID: company.ID, ClosedAt: closed, Respondents: resp, Satisfied: sat, Source: "paper", CreatedAt: now})
	}
	survey(est("a1"), testkit.Shanghai(2025, 12, 1, 9, 0), 10, 1) // older: replaced
	survey(est("a1"), testkit.Shanghai(2026, 5, 1, 9, 0), 10, 9)
	survey(est("a1"), testkit.Shanghai(2026, 7, 1, 9, 0), 10, 0) // after now: not yet
	survey(est("b1"), testkit.Shanghai(2026, 5, 2, 9, 0), 2, 1)
	survey(outside, testkit.Shanghai(2026, 5, 2, 9, 0), 100, 100)
	tp := func(v time.Time) *time.Time { return &v }
	n := 0
	complaint := func(id int64, received time.Time, responded, resolved *time.Time) {
		n++
		mk(&models.Complaint{EstateID: id, CompanyID: company.ID, Source: "phone", Body: "x", ComplainantHash: "h" + string(rune('a'+n)),
			ReceivedAt: received, Cycle: 1, CycleStartedAt: received, RespondedAt: responded, FirstResultAt: responded, ResolvedAt: resolved,
			CreatedAt: received, UpdatedAt: received})
	}
	r1 := testkit.Shanghai(2026, 6, 1, 9, 0)
	complaint(est("a1"), r1, tp(r1.Add(10*time.Minute)), tp(r1.Add(24*time.Hour))) // both met
	complaint(est("a1"), r1, tp(r1.Add(40*time.Minute)), nil)                      // response late, resolve missed
	complaint(est("a1"), testkit.Shanghai(2025, 12, 1, 9, 0), nil, nil)            // last year: not counted
	complaint(est("a4"), now.Add(-10*time.Minute), nil, nil)                       // both pending: not decided
	complaint(est("b1"), r1, tp(r1.Add(5*time.Minute)), tp(r1.Add(48*time.Hour)))  // both met
	complaint(outside, r1, tp(r1.Add(90*time.Minute)), nil)                        // outside
	// Written beside the service: the summary's backfill (migration 00035) counts them.
	if _, err := property.BuildComplaintSummary(e.Ctx, db, e.Svc.Calendar); err != nil {
		t.Fatal(err)
	}
	return tr
}

func cellOf(t *testing.T, r supervision.Row, i supervision.Indicator) supervision.Cell {
	t.Helper()
	return r.Cell(i)
}

func want(t *testing.T, where string, c supervision.Cell, num, den, percent int64) {
	t.Helper()
	if c.Rate.Num != num || c.Rate.Den != den || c.Percent != percent {
		t.Errorf("%s %s: got %d/%d = %d%%, want %d/%d = %d%%", where, c.Indicator, c.Rate.Num, c.Rate.Den, c.Percent, num, den, percent)
	}
}

func TestRatesOnHandTree(t *testing.T) {
	testkit.Each(t, func(t *testing.T, e *testkit.Env) {
		tr := handTree(t, e)
		sv := e.Svc.Supervision
		// The district sets 60% formation for 2026; the city 45% formation (overridden
		// by the district) and 25% property coverage.
		district := e.Principal(t, "h9district")
		if err := sv.SetTarget(e.Ctx, district, supervision.TargetInput{Year: 2026, Indicator: supervision.CommitteeFormation, Percent: 60}); err != nil {
			t.Fatal(err)
		}
		for _, in := range []supervision.TargetInput{
			{OrgID: tr.Org["city"], Year: 2026, Indicator: supervision.CommitteeFormation, Percent: 45},
			{OrgID: tr.Org["city"], Year: 2026, Indicator: supervision.PropertyCoverage, Percent: 25},
			{OrgID: tr.Org["city"], Year: 2027, Indicator: supervision.PropertyCoverage, Percent: 99}, // another year
		} {
			if err := sv.SetTarget(e.Ctx, e.Admin, in); err != nil {
				t.Fatal(err)
			}
		}

		// Street office A: a1..a4.
		rep, err := sv.Rates(e.Ctx, e.Principal(t, "h9street"), 0, "")
		if err != nil {
			t.Fatal(err)
		}
		tot := rep.Total
		if tot.Estates != 4 || rep.By != models.OrgCommunity || len(rep.Rows) != 2 {
			t.Fatalf("street A: %d estates by %s in %d rows", tot.Estates, rep.By, len(rep.Rows))
		}
		want(t, "streetA", cellOf(t, tot, supervision.CommitteeFormation), 2, 4, 50) // a1 filed, a2 formed
		want(t, "streetA", cellOf(t, tot, supervision.TransitionalBody), 1, 4, 25)   // a3
		want(t, "streetA", cellOf(t, tot, supervision.PartyOrgCoverage), 2, 4, 50)   // a1, a2
		want(t, "streetA", cellOf(t, tot, supervision.PartyWorkGroup), 1, 2, 50)     // a1 of a1, a2
		want(t, "streetA", cellOf(t, tot, supervision.PropertyCoverage), 1, 4, 25)   // a1 only
		want(t, "streetA", cellOf(t, tot, supervision.OwnerSatisfaction), 9, 10, 90) // a1's latest
		want(t, "streetA", cellOf(t, tot, supervision.ComplaintsAccepted), 1, 2, 50) // a4's pending not decided
		want(t, "streetA", cellOf(t, tot, supervision.ComplaintsOnTime), 1, 2, 50)
		if c := cellOf(t, tot, supervision.CommitteeFormation); c.Target == nil || *c.Target != 60 || c.Met {
			t.Errorf("streetA formation target %v met %v, want 60 not met", c.Target, c.Met)
		}
		if c := cellOf(t, tot, supervision.PropertyCoverage); c.Target == nil || *c.Target != 25 || !c.Met {
			t.Errorf("streetA coverage target %v met %v, want 25 met exactly (100·1 ≥ 25·4)", c.Target, c.Met)
		}
		if c := cellOf(t, tot, supervision.OwnerSatisfaction); c.Target != nil {
			t.Errorf("no satisfaction target was set, got %d", *c.Target)
		}
		a1 := rep.Rows[0]
		if a1.OrgID != tr.Org["communityA1"] || a1.Estates != 3 {
			t.Fatalf("first row %+v", a1)
		}
		want(t, "communityA1", cellOf(t, a1, supervision.CommitteeFormation), 2, 3, 67)

		// The district: streetA and streetB (b1, b2), never the demo estate.
		rep, err = sv.Rates(e.Ctx, district, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total.Estates != 6 || rep.By != models.OrgStreet || len(rep.Rows) != 2 {
			t.Fatalf("district: %d estates by %s in %d rows", rep.Total.Estates, rep.By, len(rep.Rows))
		}
		tot = rep.Total
		want(t, "district", cellOf(t, tot, supervision.CommitteeFormation), 3, 6, 50)
		want(t, "district", cellOf(t, tot, supervision.TransitionalBody), 1, 6, 17) // 16.67 rounds up
		want(t, "district", cellOf(t, tot, supervision.PartyOrgCoverage), 3, 6, 50)
		want(t, "district", cellOf(t, tot, supervision.PartyWorkGroup), 1, 3, 33)
		want(t, "district", cellOf(t, tot, supervision.PropertyCoverage), 2, 6, 33)
		want(t, "district", cellOf(t, tot, supervision.OwnerSatisfaction), 10, 12, 83)
		want(t, "district", cellOf(t, tot, supervision.ComplaintsAccepted), 2, 3, 67)
		want(t, "district", cellOf(t, tot, supervision.ComplaintsOnTime), 2, 3, 67)
		b := rep.Rows[1]
		if b.OrgID != tr.Org["streetB"] {
			t.Fatalf("second row %+v", b)
		}
		want(t, "streetB", cellOf(t, b, supervision.CommitteeFormation), 1, 2, 50)
		want(t, "streetB", cellOf(t, b, supervision.PartyWorkGroup), 0, 1, 0)
		want(t, "streetB", cellOf(t, b, supervision.OwnerSatisfaction), 1, 2, 50)

		// The city by street office: the same six estates.
		rep, err = sv.Rates(e.Ctx, e.Admin, tr.Org["city"], models.OrgStreet)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total.Estates != 6 || len(rep.Rows) != 2 {
			t.Fatalf("city by street: %d estates, %d rows", rep.Total.Estates, len(rep.Rows))
		}
		if c := cellOf(t, rep.Total, supervision.CommitteeFormation); c.Target == nil || *c.Target != 45 {
			t.Errorf("city formation target %v, want 45", c.Target)
		}

		// Drill-down: the estates behind street A's coverage, those not counted first.
		d, err := sv.Estates(e.Ctx, e.Principal(t, "h9street"), 0, supervision.PropertyCoverage, 0)
		if err != nil {
			t.Fatal(err)
		}
		if d.All != 4 || len(d.Estates) != 4 || d.Estates[3].EstateName != "a1" || !d.Estates[3].Counted || d.Estates[0].Counted {
			t.Errorf("drill-down %+v", d.Estates)
		}
		want(t, "drill-down", d.Total, 1, 4, 25)

		// Outside the jurisdiction: street A cannot see street B (404); a committee
		// account reads no rates (403); a street office sets no targets.
		_, err = sv.Rates(e.Ctx, e.Principal(t, "h9street"), tr.Org["streetB"], "")
		if !isCode(err, app.ENotFound) {
			t.Errorf("street A reading street B: %v, want not found", err)
		}
		if _, err := sv.Rates(e.Ctx, e.Principal(t, "h9committee"), 0, ""); !isCode(err, app.EForbidden) {
			t.Errorf("committee reading rates: %v, want forbidden", err)
		}
		err = sv.SetTarget(e.Ctx, e.Principal(t, "h9street"), supervision.TargetInput{Year: 2026, Indicator: supervision.PartyOrgCoverage, Percent: 40})
		if !isCode(err, app.EForbidden) {
			t.Errorf("street setting a target: %v", err)
		}
		for _, bad := range []supervision.TargetInput{
			{Year: 2026, Indicator: "nonsense", Percent: 40}, {Year: 2026, Indicator: supervision.PartyOrgCoverage, Percent: 101},
			{Year: 1999, Indicator: supervision.PartyOrgCoverage, Percent: 40}, {OrgID: tr.Org["streetA"], Year: 2026, Indicator: supervision.PartyOrgCoverage, Percent: 40},
		} {
			var ae *app.Error
			if err := sv.SetTarget(e.Ctx, district, bad); !errors.As(err, &ae) || ae.Code != app.EInvalid {
				t.Errorf("target %+v: %v, want invalid", bad, err)
			}
		}

		// The community records a4's Party organisation: street A's coverage moves to 3/4.
		if err := sv.RecordParty(e.Ctx, e.Principal(t, "h9community"), tr.Estate["a1"], supervision.PartyInput{HasPartyOrg: true, PartyWorkGroup: false}); err != nil {
			t.Fatal(err)
		}
		if err := sv.RecordParty(e.Ctx, e.Principal(t, "h9community"), tr.Estate["a4"], supervision.PartyInput{HasPartyOrg: true}); !isCode(err, app.ENotFound) {
			t.Errorf("community A1 recording a4 of community A2: %v, want not found", err)
		}
		if err := sv.RecordParty(e.Ctx, e.Principal(t, "h9street"), tr.Estate["a4"], supervision.PartyInput{HasPartyOrg: true}); err != nil {
			t.Fatal(err)
		}
		rep, err = sv.Rates(e.Ctx, e.Principal(t, "h9street"), 0, "")
		if err != nil {
			t.Fatal(err)
		}
		want(t, "streetA after", cellOf(t, rep.Total, supervision.PartyOrgCoverage), 3, 4, 75)
		want(t, "streetA after", cellOf(t, rep.Total, supervision.PartyWorkGroup), 0, 2, 0)
	})
}

func isCode(err error, code app.Code) bool {
	var ae *app.Error
	return errors.As(err, &ae) && ae.Code == code
}
