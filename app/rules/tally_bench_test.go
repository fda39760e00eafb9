package rules

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchmarkTallyInput is a vote of 100,000 voters, all returning a ballot with five items
// and a 5-seat election among 9 candidates, generated from a fixed seed.
func benchmarkTallyInput() TallyInput {
	const voters = 100_000
	rng := rand.New(rand.NewPCG(2026, 278))
	items := []ItemSpec{
		{Key: "rules", Matter: MatterAmendRulesOfProcedure},
		{Key: "dismiss", Matter: MatterHireDismissManager},
		{Key: "fund", Matter: MatterRaiseMaintenanceFund},
		{Key: "use", Matter: MatterUseMaintenanceFund},
		{Key: "parking", Matter: MatterChangeCommonUse},
	}
	candidates := make([]string, 9)
	for i := range candidates {
		candidates[i] = "C" + strconv.Itoa(i+1)
	}
	choices := []Choice{ChoiceAgree, ChoiceAgree, ChoiceAgree, ChoiceOppose, ChoiceAbstain}
	in := TallyInput{
		Profile:        CivilCode2021,
		TotalHeadcount: voters,
		Items:          items,
		Elections:      []ElectionSpec{{Key: "committee", Seats: 5, Alternates: 2, MinMembers: 5, Candidates: candidates}},
		Ballots:        make([]CastBallot, voters),
		FollowMajority: true,
	}
	for i := range in.Ballots {
		b := CastBallot{
			Area:      Area(5000 + rng.IntN(15000)),
			Choices:   make(map[string]Choice, len(items)),
			Elections: map[string][]string{"committee": {}},
		}
		for _, it := range items {
			b.Choices[it.Key] = choices[rng.IntN(len(choices))]
		}
		for _, k := range rng.Perm(len(candidates))[:5] {
			b.Elections["committee"] = append(b.Elections["committee"], candidates[k])
		}
		in.TotalArea += b.Area
		in.Ballots[i] = b
	}
	return in
}

func BenchmarkTally100kVoters5Items(b *testing.B) {
	in := benchmarkTallyInput()
	b.ReportAllocs()
	for b.Loop() {
		res := Tally(in)
		if res.Participating.Headcount != 100_000 || len(res.Items) != 5 {
			b.Fatalf("unexpected result: %d participating, %d items", res.Participating.Headcount, len(res.Items))
		}
	}
}

func BenchmarkBuildRegister(b *testing.B) {
	units := loadRosterFixture(b, "roster-medium.csv").Units
	b.ReportAllocs()
	for b.Loop() {
		reg := BuildRegister(units, RegisterOptions{})
		if reg.TotalHeadcount != 1089 {
			b.Fatalf("headcount = %d", reg.TotalHeadcount)
		}
	}
}
