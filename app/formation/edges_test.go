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
		f.clock.Set(sh(2026, 3, 3, 10, 0)) // the chair is elected the next day (Tuesday)
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

// counted builds a counted election result: elected, runoff, alternates and an alternate
// tie, with the given agreeing headcounts.
func counted(key string, seats int, elected, runoff, alternates, tie []string, tiePlaces, pending int, heads map[string]int) rules.ElectionResult {
	res := rules.ElectionResult{Key: key, Seats: seats, Elected: elected, Runoff: runoff, Alternates: alternates, AlternateTie: tie,
		AlternateTiePlaces: tiePlaces, AlternatesPending: pending, Candidates: map[string]rules.CandidateResult{}}
	rank := 0
	for _, list := range [][]string{elected, runoff, alternates, tie} {
		for _, k := range list {
			rank++
			res.Candidates[k] = rules.CandidateResult{Key: k, Agree: rules.Count{Area: rules.Area(heads[k] * 100), Headcount: heads[k]}, Qualified: true, Rank: rank}
		}
	}
	res.VacantSeats = seats - len(elected)
	res.CommitteeFormed = rules.CommitteeFormed(len(elected), 5, seats)
	return res
}

// A 7-seat committee with 6 elected is formed while G and H go to a runoff for the last
// seat; one alternate place is kept for the runoff's loser, I holds the other; the runoff
// seats G and makes H the first alternate, ahead of I. The deadlines run from the first
// vote's close. Then a tie across the last alternate place of a later by-election is held
// for a public lot, and the lot seats its winner.
func TestRunoffAfterFormationAndAlternateLot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		estate := f.newEstate("决选花园", "national")
		f.importRoster(estate, "roster-medium.csv")
		f.formGroup(street, estate, lawfulGroup())
		heads := map[string]int{"A": 90, "B": 88, "C": 86, "D": 84, "E": 82, "F": 80, "G": 70, "H": 70, "I": 60}
		first := counted("committee", 7, []string{"A", "B", "C", "D", "E", "F"}, []string{"G", "H"}, []string{"I"}, []string{}, 0, 1, heads)
		closed := sh(2026, 3, 1, 20, 0) // Sunday evening; recorded on Monday
		cid, err := f.svc.RecordElectionClosed(f.ctx, street, estate, 601, "committee", formation.RecordOptions{ClosedAt: closed, TermYears: 3},
			first, nameRefs("A", "B", "C", "D", "E", "F", "G", "H", "I"))
		f.must(err)
		cv, err := f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if cv.Status != "formed" || len(cv.Members) != 6 || cv.VacantSeats != 1 || len(cv.RunoffPending) != 2 || cv.AlternatesPending != 1 {
			t.Fatalf("after the first count: status %s members %d vacant %d runoff %v pending %d", cv.Status, len(cv.Members), cv.VacantSeats, cv.RunoffPending, cv.AlternatesPending)
		}
		if len(cv.Alternates) != 1 || cv.Alternates[0].CandidateKey != "I" || cv.Alternates[0].ElectionRank != 2 {
			t.Errorf("carried alternates: %+v, want I at rank 2 behind the kept place", memberKeys(cv.Alternates))
		}
		if want := rules.PeriodEnd(closed, 7, rules.OfficialCalendar()); cv.ChairElectBy == nil || !cv.ChairElectBy.Equal(want) {
			t.Errorf("chair by %v, want %v (7 days from the close)", cv.ChairElectBy, want)
		}
		if cv.TermEndDay != "2029-03-01" {
			t.Errorf("a 3-year term from the close ends %s", cv.TermEndDay)
		}

		// The runoff: G elected, H the loser and first alternate.
		runoff := counted("committee", 1, []string{"G"}, []string{}, []string{"H"}, []string{}, 0, 0, map[string]int{"G": 80, "H": 60})
		runoff.CommitteeFormed = false
		_, err = f.svc.RecordElection(f.ctx, street, estate, 602, "committee", runoff, nameRefs("G", "H"))
		f.must(err)
		cv, err = f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if len(cv.Members) != 7 || cv.VacantSeats != 0 || len(cv.RunoffPending) != 0 {
			t.Errorf("after the runoff: members %d vacant %d runoff %v", len(cv.Members), cv.VacantSeats, cv.RunoffPending)
		}
		if got := memberKeys(cv.Alternates); len(got) != 2 || got[0] != "H" || got[1] != "I" {
			t.Errorf("alternates after the runoff: %v, want [H I]", got)
		}
		if want := rules.PeriodEnd(closed, 7, rules.OfficialCalendar()); !cv.ChairElectBy.Equal(want) {
			t.Errorf("the runoff moved the deadlines: %v", cv.ChairElectBy)
		}
	})
}

// A tie across the last alternate place is held as a pending lot: nobody takes the place
// by list order; the lot, drawn from a public seed, seats its winner and is audited.
func TestAlternateTieSettledByLot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		f.formGroup(street, f.estate, lawfulGroup())
		heads := map[string]int{"A": 15, "B": 14, "C": 13, "D": 12, "E": 11, "F": 9, "G": 8, "H": 8}
		res := counted("committee", 5, []string{"A", "B", "C", "D", "E"}, []string{}, []string{"F"}, []string{"G", "H"}, 1, 0, heads)
		cid, err := f.svc.RecordElection(f.ctx, street, f.estate, 701, "committee", res, nameRefs("A", "B", "C", "D", "E", "F", "G", "H"))
		f.must(err)
		cv, err := f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if got := memberKeys(cv.Alternates); len(got) != 1 || got[0] != "F" {
			t.Fatalf("alternates before the lot: %v", got)
		}
		if len(cv.Lots) != 1 || cv.Lots[0].Status != "pending" || len(cv.AlternateTie) != 2 || cv.Lots[0].InsertRank != 2 {
			t.Fatalf("pending lot: %+v tie %v", cv.Lots, cv.AlternateTie)
		}
		lotID := cv.Lots[0].ID
		// Bad input names its field and draws nothing.
		ae := wantCode(t, func() error {
			_, err := f.svc.DrawLot(f.ctx, street, cid, lotID, formation.LotInput{Witnesses: "王建国、吴书记"})
			return err
		}(), "invalid")
		if fields := detailFields(ae); len(fields) != 1 || fields[0] != "seed" {
			t.Errorf("no seed: %v", fields)
		}
		wantCode(t, func() error {
			_, err := f.svc.DrawLot(f.ctx, street, cid, lotID, formation.LotInput{Seed: "17 03 29"})
			return err
		}(), "invalid")
		wantCode(t, func() error {
			_, err := f.svc.DrawLot(f.ctx, f.who("street2"), cid, lotID, formation.LotInput{Seed: "17 03 29", Witnesses: "王建国"})
			return err
		}(), "not_found")
		seed := "17 03 29 / 2026-03-02 小区会所"
		lv, err := f.svc.DrawLot(f.ctx, street, cid, lotID, formation.LotInput{Seed: seed, Place: "小区会所", Witnesses: "王建国、吴书记（居委会）"})
		f.must(err)
		draw := rules.DrawLot(seed, []string{"G", "H"}, 1)
		if lv.Status != "drawn" || len(lv.Winners) != 1 || lv.Winners[0] != "候选人"+draw.Winners[0] || lv.DrawnBy != "street" || lv.Seed != seed {
			t.Errorf("drawn lot: %+v, want winner %s", lv, draw.Winners[0])
		}
		cv, err = f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if got := memberKeys(cv.Alternates); len(got) != 2 || got[0] != "F" || got[1] != draw.Winners[0] || cv.Alternates[1].ElectionRank != 2 {
			t.Errorf("alternates after the lot: %v", got)
		}
		if len(cv.AlternateTie) != 0 {
			t.Errorf("tie still pending: %v", cv.AlternateTie)
		}
		_, err = f.svc.DrawLot(f.ctx, street, cid, lotID, formation.LotInput{Seed: "again", Witnesses: "王建国"})
		wantCode(t, err, "conflict")
		var n int64
		f.must(db.Table("audit_logs").Where("action = ?", "formation.committee.lot").Count(&n).Error)
		if n != 1 {
			t.Errorf("%d lot audit rows, want 1", n)
		}
	})
}

// Shanghai: 3 members on an estate of at most 10,000 m² (SH 20), a term of 3-5 years
// (SH 20); the national profile refuses 3 members on the same roster.
func TestShanghaiSmallCommitteeAndTerm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		shEstate := f.newEstate("浦江小苑", "shanghai")
		f.importRoster(shEstate, "roster-small.csv") // 2696.04 m², 24 units
		f.formGroup(street, shEstate, lawfulGroup())
		three := counted("committee", 3, []string{"A", "B", "C"}, []string{}, []string{}, []string{}, 0, 0, map[string]int{"A": 15, "B": 14, "C": 13})
		for _, bad := range []int{2, 6} {
			_, err := f.svc.RecordElectionClosed(f.ctx, street, shEstate, 801, "committee", formation.RecordOptions{TermYears: bad}, three, nameRefs("A", "B", "C"))
			if fields := detailFields(wantCode(t, err, "invalid")); len(fields) != 1 || fields[0] != "term_years" {
				t.Errorf("term %d: %v", bad, fields)
			}
		}
		cid, err := f.svc.RecordElectionClosed(f.ctx, street, shEstate, 801, "committee", formation.RecordOptions{TermYears: 3}, three, nameRefs("A", "B", "C"))
		f.must(err)
		cv, err := f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		if cv.Status != "formed" || cv.MinMembers != 3 {
			t.Errorf("shanghai small estate: status %s minimum %d", cv.Status, cv.MinMembers)
		}
		f.formGroup(street, f.estate, lawfulGroup())
		_, err = f.svc.RecordElection(f.ctx, street, f.estate, 802, "committee", three, nameRefs("A", "B", "C"))
		if fields := detailFields(wantCode(t, err, "invalid")); len(fields) != 1 || fields[0] != "seats" {
			t.Errorf("national 3 seats: %v", fields)
		}
	})
}
