package rules

import (
	"slices"
	"strings"
	"testing"
)

// electionBallots builds n ballots of area 1.00 for election "e" so that each candidate in
// order gets exactly its count of agreeing votes, filling ballots cyclically so no ballot
// names a candidate twice and no ballot holds more than ceil(sum/n) names.
func electionBallots(n int, candidates []string, counts []int) []CastBallot {
	picks := make([][]string, n)
	next := 0
	for i, c := range candidates {
		for range counts[i] {
			picks[next] = append(picks[next], c)
			next = (next + 1) % n
		}
	}
	out := make([]CastBallot, n)
	for i := range out {
		out[i] = CastBallot{Area: 100, Elections: map[string][]string{"e": picks[i]}}
	}
	return out
}

// electionBallot is one ballot of the given area agreeing with the space-separated keys.
func electionBallot(area Area, keys string) CastBallot {
	return CastBallot{Area: area, Elections: map[string][]string{"e": strings.Fields(keys)}}
}

func TestTallyElection(t *testing.T) {
	five := []string{"A", "B", "C", "D", "E"}
	tests := []struct {
		name       string
		p          LegalProfile
		totalArea  Area
		totalHead  int
		spec       ElectionSpec
		ballots    []CastBallot
		qualified  []string
		ranks      map[string]int
		elected    []string
		runoff     []string
		alternates []string
		formed     bool
		vacant     int
		invalid    int
	}{
		{
			name:      "more qualify than seats: top 3 elected in list order, alternates in rank order",
			totalArea: 10000, totalHead: 100,
			spec:       ElectionSpec{Key: "e", Seats: 3, Alternates: 2, MinMembers: 3, Candidates: []string{"E", "D", "C", "B", "A"}},
			ballots:    electionBallots(100, five, []int{51, 52, 55, 54, 53}),
			qualified:  five,
			ranks:      map[string]int{"C": 1, "D": 2, "E": 3, "B": 4, "A": 5},
			elected:    []string{"E", "D", "C"},
			alternates: []string{"B", "A"},
			formed:     true,
		},
		{
			name:      "alternates capped by the spec",
			totalArea: 10000, totalHead: 100,
			spec:       ElectionSpec{Key: "e", Seats: 3, Alternates: 1, MinMembers: 3, Candidates: five},
			ballots:    electionBallots(100, five, []int{51, 52, 55, 54, 53}),
			qualified:  five,
			elected:    []string{"C", "D", "E"},
			alternates: []string{"B"},
			formed:     true,
		},
		{
			name:      "exactly 1/2 of participating headcount does not qualify",
			totalArea: 10000, totalHead: 100,
			spec:      ElectionSpec{Key: "e", Seats: 3, Alternates: 2, MinMembers: 3, Candidates: five},
			ballots:   electionBallots(100, five, []int{90, 80, 50, 70, 10}),
			qualified: []string{"A", "B", "D"},
			ranks:     map[string]int{"A": 1, "B": 2, "D": 3},
			elected:   []string{"A", "B", "D"},
			formed:    true,
		},
		{
			name:      "tie across the last seat goes to a runoff; one alternate place kept for its loser, E holds the other",
			totalArea: 10000, totalHead: 100,
			spec:       ElectionSpec{Key: "e", Seats: 3, Alternates: 2, MinMembers: 3, Candidates: five},
			ballots:    electionBallots(100, five, []int{70, 60, 55, 55, 51}),
			qualified:  five,
			ranks:      map[string]int{"A": 1, "B": 2, "C": 3, "D": 3, "E": 5},
			elected:    []string{"A", "B"},
			runoff:     []string{"C", "D"},
			alternates: []string{"E"},
			vacant:     1,
		},
		{
			name:      "a tie spanning the last seat from above takes every tied seat into the runoff",
			totalArea: 10000, totalHead: 100,
			spec:       ElectionSpec{Key: "e", Seats: 3, Alternates: 2, MinMembers: 1, Candidates: five},
			ballots:    electionBallots(100, five, []int{70, 55, 55, 55, 51}),
			qualified:  five,
			elected:    []string{"A"},
			runoff:     []string{"B", "C", "D"},
			alternates: []string{"E"}, // the runoff's one loser keeps the first place
			vacant:     2,
		},
		{
			name:      "a tie inside the seats is no runoff",
			totalArea: 10000, totalHead: 100,
			spec:       ElectionSpec{Key: "e", Seats: 3, Alternates: 2, MinMembers: 3, Candidates: five},
			ballots:    electionBallots(100, five, []int{60, 60, 55, 52, 52}),
			qualified:  five,
			ranks:      map[string]int{"A": 1, "B": 1, "C": 3, "D": 4, "E": 4},
			elected:    []string{"A", "B", "C"},
			alternates: []string{"D", "E"}, // tied alternates keep the list order
			formed:     true,
		},
		{
			name:      "agreeing area breaks a headcount tie",
			totalArea: 7500, totalHead: 3,
			spec:       ElectionSpec{Key: "e", Seats: 2, Alternates: 1, MinMembers: 1, Candidates: []string{"A", "B", "C"}},
			ballots:    []CastBallot{electionBallot(2000, "A B"), electionBallot(2500, "A C"), electionBallot(3000, "B C")},
			qualified:  []string{"A", "B", "C"},
			ranks:      map[string]int{"C": 1, "B": 2, "A": 3},
			elected:    []string{"B", "C"},
			alternates: []string{"A"},
			formed:     true,
		},
		{
			name:      "over-voted ballot is invalid but participating; repeats count once; unknown keys ignored",
			totalArea: 500, totalHead: 5,
			spec: ElectionSpec{Key: "e", Seats: 2, Alternates: 0, MinMembers: 1, Candidates: []string{"A", "B", "C"}},
			ballots: []CastBallot{
				electionBallot(100, "A B C"),   // over-vote: invalid
				electionBallot(100, "A A B X"), // A once, B, X unknown: valid
				electionBallot(100, "A"),
				electionBallot(100, "B"),
				electionBallot(100, ""),
			},
			qualified: []string{}, // A and B have 2 of 5 participating
			invalid:   1,
			vacant:    2,
		},
		{
			name:      "too few elected: no committee, seats vacant for a by-election",
			totalArea: 10000, totalHead: 100,
			spec:      ElectionSpec{Key: "e", Seats: 5, Alternates: 2, MinMembers: 5, Candidates: five},
			ballots:   electionBallots(100, five, []int{90, 80, 70, 60, 40}),
			qualified: []string{"A", "B", "C", "D"},
			elected:   []string{"A", "B", "C", "D"},
			vacant:    1,
		},
		{
			name:      "quorum missed: nobody qualifies",
			totalArea: 10000, totalHead: 100,
			spec:      ElectionSpec{Key: "e", Seats: 3, Alternates: 2, MinMembers: 3, Candidates: five},
			ballots:   electionBallots(60, five, []int{60, 60, 60, 0, 0}),
			qualified: []string{},
			vacant:    3,
		},
		{
			name:      "property-law: a candidate needs more than 1/2 of the total",
			p:         PropertyLaw2007,
			totalArea: 10000, totalHead: 100,
			spec:      ElectionSpec{Key: "e", Seats: 3, Alternates: 2, MinMembers: 1, Candidates: five},
			ballots:   electionBallots(70, five, []int{51, 50, 40, 36, 0}),
			qualified: []string{"A"},
			elected:   []string{"A"},
			vacant:    2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Tally(TallyInput{
				Profile:        tc.p,
				TotalArea:      tc.totalArea,
				TotalHeadcount: tc.totalHead,
				Elections:      []ElectionSpec{tc.spec},
				Ballots:        tc.ballots,
			})
			er, ok := res.Elections["e"]
			if !ok {
				t.Fatal("no election result")
			}
			var qualified []string
			for _, k := range tc.spec.Candidates {
				c := er.Candidates[k]
				if c.Key != k {
					t.Errorf("candidate %s missing", k)
				}
				if c.Qualified {
					qualified = append(qualified, k)
				}
				if c.Qualified != (c.Rank > 0) {
					t.Errorf("%s: qualified %v with rank %d", k, c.Qualified, c.Rank)
				}
				if want, ok := tc.ranks[k]; ok && c.Rank != want {
					t.Errorf("%s: rank %d, want %d", k, c.Rank, want)
				}
			}
			slices.Sort(qualified)
			if !slices.Equal(qualified, slices.Sorted(slices.Values(tc.qualified))) {
				t.Errorf("qualified = %v, want %v", qualified, tc.qualified)
			}
			check := func(what string, got, want []string) {
				if got == nil {
					t.Errorf("%s is nil", what)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("elected", er.Elected, orEmpty(tc.elected))
			check("runoff", er.Runoff, orEmpty(tc.runoff))
			check("alternates", er.Alternates, orEmpty(tc.alternates))
			if er.CommitteeFormed != tc.formed || er.VacantSeats != tc.vacant || er.InvalidBallots != tc.invalid {
				t.Errorf("formed %v vacant %d invalid %d, want %v %d %d",
					er.CommitteeFormed, er.VacantSeats, er.InvalidBallots, tc.formed, tc.vacant, tc.invalid)
			}
			if er.Seats != tc.spec.Seats || er.Key != "e" || er.Rule == "" || er.RuleEN == "" {
				t.Errorf("seats %d key %q rule %q", er.Seats, er.Key, er.Rule)
			}
		})
	}
}

// orEmpty turns a nil list into an empty one, as ElectionResult lists are never nil.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestTallyElectionAgreeCounts(t *testing.T) {
	res := Tally(TallyInput{
		TotalArea:      600,
		TotalHeadcount: 3,
		Elections:      []ElectionSpec{{Key: "e", Seats: 2, MinMembers: 1, Candidates: []string{"A", "B"}}},
		Ballots: []CastBallot{
			electionBallot(100, "A B"),
			electionBallot(200, "A"),
			{Area: 300}, // returned the ballot without touching the election: participating, agrees with nobody
		},
	})
	er := res.Elections["e"]
	if a := er.Candidates["A"].Agree; a != (Count{300, 2}) {
		t.Errorf("A agree = %+v, want 3.00/2", a)
	}
	if b := er.Candidates["B"].Agree; b != (Count{100, 1}) {
		t.Errorf("B agree = %+v, want 1.00/1", b)
	}
	// A: 2 of 3 heads but 3.00 of 6.00 area → not more than half of the area.
	if er.Candidates["A"].Qualified || res.Participating != (Count{600, 3}) {
		t.Errorf("A qualified %v, participating %+v", er.Candidates["A"].Qualified, res.Participating)
	}
}
