package formation_test

import (
	"testing"
	"time"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
)

// fiveElected is a counted 5-seat election in which A-E are elected.
func fiveElected(key string) rules.ElectionResult {
	res := rules.ElectionResult{Key: key, Seats: 5, Elected: []string{"A", "B", "C", "D", "E"}, Runoff: []string{}, Alternates: []string{},
		AlternateTie: []string{}, CommitteeFormed: true, Candidates: map[string]rules.CandidateResult{}}
	for i, k := range res.Elected {
		res.Candidates[k] = rules.CandidateResult{Key: k, Agree: rules.Count{Area: 100, Headcount: 15 - i}, Qualified: true, Rank: i + 1}
	}
	return res
}

// The names are published within 3 days of the chair election's date, not of the last
// day allowed for it (BJ 42, docs/rules.md "Election edges").
func TestOfficersPublicationFromTheChairElection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		f.formGroup(street, f.estate, lawfulGroup())
		cid, err := f.svc.RecordElection(f.ctx, street, f.estate, 501, "committee", fiveElected("committee"), nameRefs("A", "B", "C", "D", "E"))
		f.must(err)
		cv, err := f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		f.clock.set(2026, 3, 3, 10, 0) // the chair is elected the next day (Tuesday)
		chairDay := sh(2026, 3, 3, 9, 0)
		_, err = f.svc.SetOfficers(f.ctx, street, cid, formation.OfficersInput{ChairMemberID: cv.Members[0].ID, ElectedAt: &chairDay})
		f.must(err)
		cv, err = f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if want := dayOf(rules.PeriodEnd(chairDay, 3, rules.OfficialCalendar()).Add(-time.Second)); cv.PublishByDay != want {
			t.Errorf("officers to be published by %s, want %s (3 days from the chair election on 2026-03-03)", cv.PublishByDay, want)
		}
	})
}
