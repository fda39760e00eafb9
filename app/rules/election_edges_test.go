package rules

import (
	"slices"
	"testing"
)

// The election edges of docs/rules.md §5 "Election edges" (issue 12).

// A committee that meets the formed test (elected ≥ minimum and > half the seats) is formed
// even while a runoff for the last seat is pending (HZ 27).
func TestElectionFormedWhileRunoffPending(t *testing.T) {
	seven := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	res := Tally(TallyInput{TotalArea: 10000, TotalHeadcount: 100,
		Elections: []ElectionSpec{{Key: "e", Seats: 7, Alternates: 2, MinMembers: 5, Candidates: seven}},
		Ballots:   electionBallots(100, seven, []int{90, 88, 86, 84, 82, 80, 70, 70})})
	er := res.Elections["e"]
	if !slices.Equal(er.Elected, []string{"A", "B", "C", "D", "E", "F"}) || !slices.Equal(er.Runoff, []string{"G", "H"}) {
		t.Fatalf("elected %v runoff %v", er.Elected, er.Runoff)
	}
	if !er.CommitteeFormed || er.VacantSeats != 1 {
		t.Errorf("committee formed %v vacant %d, want formed with 1 seat left to the runoff", er.CommitteeFormed, er.VacantSeats)
	}
}

// The runoff's loser ranks as an alternate ahead of every lower-ranked qualified candidate:
// with 2 alternate places, one is kept for the loser and the next candidate takes the other.
func TestElectionAlternatesCarriedThroughRunoff(t *testing.T) {
	cands := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	res := Tally(TallyInput{TotalArea: 10000, TotalHeadcount: 100,
		Elections: []ElectionSpec{{Key: "e", Seats: 5, Alternates: 2, MinMembers: 5, Candidates: cands}},
		Ballots:   electionBallots(100, cands, []int{70, 68, 66, 55, 55, 55, 53, 52})})
	er := res.Elections["e"]
	if !slices.Equal(er.Runoff, []string{"D", "E", "F"}) {
		t.Fatalf("runoff %v", er.Runoff)
	}
	// Three tie for two seats: one place is kept for the runoff's loser; G (rank 7) holds
	// the other; H has none.
	if !slices.Equal(er.Alternates, []string{"G"}) {
		t.Errorf("alternates while the runoff is pending = %v, want [G] after the loser's reserved place", er.Alternates)
	}
	if er.AlternatesPending != 1 || er.CommitteeFormed {
		t.Errorf("alternates pending %d formed %v, want 1 place kept and not formed (3 < 5)", er.AlternatesPending, er.CommitteeFormed)
	}
	// With more losers than places, every place is kept for them.
	res = Tally(TallyInput{TotalArea: 10000, TotalHeadcount: 100,
		Elections: []ElectionSpec{{Key: "e", Seats: 5, Alternates: 2, MinMembers: 3, Candidates: cands}},
		Ballots:   electionBallots(100, cands, []int{70, 68, 66, 64, 55, 55, 55, 52})})
	if er := res.Elections["e"]; er.AlternatesPending != 2 || len(er.Alternates) != 0 || !er.CommitteeFormed {
		t.Errorf("3 tied for 1 seat, 2 places: pending %d alternates %v formed %v", er.AlternatesPending, er.Alternates, er.CommitteeFormed)
	}
}

// A tie across the last alternate place is reported, never settled by list order.
func TestElectionAlternateTieReported(t *testing.T) {
	five := []string{"A", "B", "C", "D", "E"}
	res := Tally(TallyInput{TotalArea: 10000, TotalHeadcount: 100,
		Elections: []ElectionSpec{{Key: "e", Seats: 3, Alternates: 1, MinMembers: 3, Candidates: five}},
		Ballots:   electionBallots(100, five, []int{62, 61, 60, 55, 55})})
	er := res.Elections["e"]
	if !er.CommitteeFormed || !slices.Equal(er.Elected, []string{"A", "B", "C"}) {
		t.Fatalf("elected %v formed %v", er.Elected, er.CommitteeFormed)
	}
	if len(er.Alternates) != 0 {
		t.Errorf("alternates = %v: D and E tie for the one place, neither may take it by list order", er.Alternates)
	}
	if !slices.Equal(er.AlternateTie, []string{"D", "E"}) || er.AlternateTiePlaces != 1 {
		t.Errorf("alternate tie %v for %d places, want [D E] for 1", er.AlternateTie, er.AlternateTiePlaces)
	}
	// A tie wholly inside the places is no tie to settle.
	res = Tally(TallyInput{TotalArea: 10000, TotalHeadcount: 100,
		Elections: []ElectionSpec{{Key: "e", Seats: 3, Alternates: 2, MinMembers: 3, Candidates: five}},
		Ballots:   electionBallots(100, five, []int{62, 61, 60, 55, 55})})
	if er := res.Elections["e"]; len(er.AlternateTie) != 0 || !slices.Equal(er.Alternates, []string{"D", "E"}) {
		t.Errorf("tie inside the places: alternates %v tie %v", er.Alternates, er.AlternateTie)
	}
}

// A lot is repeatable from its seed and names exactly the places drawn for.
func TestDrawLot(t *testing.T) {
	a := DrawLot("07 21 33 / 2026-12-05 公证处", []string{"E", "D", "D"}, 1)
	b := DrawLot("07 21 33 / 2026-12-05 公证处", []string{"D", "E"}, 1)
	if !slices.Equal(a.Order, b.Order) || len(a.Order) != 2 || len(a.Winners) != 1 || a.Winners[0] != a.Order[0] || a.Method == "" {
		t.Fatalf("lot not repeatable: %+v %+v", a, b)
	}
	seen := map[string]bool{}
	for i := range 40 {
		seen[DrawLot(string(rune('a'+i)), []string{"D", "E"}, 1).Winners[0]] = true
	}
	if !seen["D"] || !seen["E"] {
		t.Errorf("40 seeds always gave the same winner: %v", seen)
	}
	if got := DrawLot("x", []string{"D"}, 5); got.Places != 1 {
		t.Errorf("places not clamped: %d", got.Places)
	}
}
