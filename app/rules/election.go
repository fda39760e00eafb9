package rules

import (
	"cmp"
	"fmt"
	"slices"
)

// CandidateResult is one candidate's count in a committee election. Rank is the position
// among qualified candidates by agreeing headcount, then agreeing area (1 is first; equal
// counts share a rank, the next rank skips: 1, 2, 2, 4); it is 0 for a candidate who did
// not qualify.
type CandidateResult struct {
	Key       string
	Agree     Count
	Qualified bool
	Rank      int
}

// ElectionResult is the outcome of one committee-election item (docs/rules.md §5).
//
// Elected, Runoff and AlternateTie list candidates in the order of the published
// candidate list; Alternates lists them in rank order, the order in which they fill a
// vacated seat.
//
// While a runoff is pending the tied candidates are in Runoff, the seats above them are
// filled and the rest stay vacant for the runoff. The runoff's losers rank as alternates
// ahead of every lower-ranked qualified candidate, so AlternatesPending places are kept
// for them (settled by the runoff's count) and Alternates holds the lower-ranked
// candidates that take the remaining places whatever the runoff gives.
//
// When qualified candidates tie across the last alternate place, Alternates holds those
// above the tie, AlternateTie the tied candidates and AlternateTiePlaces the places left
// for them: the tie is settled by a runoff or a publicly drawn and recorded lot, never
// by list order. The lists are never nil.
type ElectionResult struct {
	Key                string
	Seats              int
	Candidates         map[string]CandidateResult
	Elected            []string
	Runoff             []string
	Alternates         []string
	AlternatesPending  int      // alternate places kept for the runoff's losers
	AlternateTie       []string // tied across the last alternate place
	AlternateTiePlaces int      // the alternate places the tied compete for
	CommitteeFormed    bool     // elected ≥ MinMembers and elected > half the seats (HZ 27), a runoff pending or not
	VacantSeats        int      // Seats minus elected
	InvalidBallots     int      // over-voted ballots: participating, agreeing with nobody (§3)
	Rule               string
	RuleEN             string
}

// The election counting rules in words, by profile.
const (
	electionRuleCivilZH = quorumCivilZH + "；候选人同意面积和人数均>参与表决的1/2；" +
		"按同意人数、再按同意面积排序，末位同票者另行决选；同意人数超过应选名额的选票该项无效"
	electionRuleCivilEN = quorumCivilEN + "; a candidate needs agreeing area and headcount each more than " +
		"1/2 of the participating; ranked by agreeing headcount, then area, a tie across the last seat " +
		"goes to a runoff; a ballot agreeing with more candidates than seats is invalid for the item"
	electionRulePropertyZH = quorumPropertyZH + "；候选人同意面积和人数均>总数的1/2；" +
		"按同意人数、再按同意面积排序，末位同票者另行决选；同意人数超过应选名额的选票该项无效"
	electionRulePropertyEN = quorumPropertyEN + "; a candidate needs agreeing area and headcount each more " +
		"than 1/2 of the total; ranked by agreeing headcount, then area, a tie across the last seat goes " +
		"to a runoff; a ballot agreeing with more candidates than seats is invalid for the item"
)

// tallyElection counts one election over the accepted ballots. A candidate qualifies when the
// quorum is met and its agreeing count meets the profile's elect_committee threshold (the
// ordinary double majority: of the participating under civil-code-2021, of the total under
// property-law-2007). Unknown candidate keys on a ballot are ignored, a repeated key counts
// once, and a ballot agreeing with more known candidates than seats is invalid for the item.
func tallyElection(p LegalProfile, spec ElectionSpec, ballots []CastBallot, participating, total Count, quorumMet bool) ElectionResult {
	res := ElectionResult{
		Key:        spec.Key,
		Seats:      spec.Seats,
		Candidates: make(map[string]CandidateResult, len(spec.Candidates)),
		Elected:    []string{},
		Runoff:     []string{},
		Alternates: []string{},

		AlternateTie: []string{},
	}
	if p == PropertyLaw2007 {
		res.Rule, res.RuleEN = electionRulePropertyZH, electionRulePropertyEN
	} else {
		res.Rule, res.RuleEN = electionRuleCivilZH, electionRuleCivilEN
	}

	// The candidate list without repeats; index maps a key to its position in it.
	var keys []string
	index := make(map[string]int, len(spec.Candidates))
	for _, k := range spec.Candidates {
		if _, dup := index[k]; !dup {
			index[k] = len(keys)
			keys = append(keys, k)
		}
	}

	agree := make([]Count, len(keys))
	seenOn := make([]int, len(keys)) // the 1-based ballot number a candidate was last picked on
	picked := make([]int, 0, len(keys))
	for bi, b := range ballots {
		chosen := b.Elections[spec.Key]
		if len(chosen) == 0 {
			continue
		}
		picked = picked[:0]
		for _, k := range chosen {
			i, ok := index[k]
			if !ok || seenOn[i] == bi+1 {
				continue
			}
			seenOn[i] = bi + 1
			picked = append(picked, i)
		}
		if len(picked) > spec.Seats {
			res.InvalidBallots++
			continue
		}
		for _, i := range picked {
			agree[i].add(b.Area)
		}
	}

	class := ClassOf(p, MatterElectCommittee)
	var ranked []int
	for i := range keys {
		if quorumMet && thresholdMet(p, class, agree[i], participating, total) {
			ranked = append(ranked, i)
		}
	}
	byVotes := func(a, b int) int {
		if c := cmp.Compare(agree[b].Headcount, agree[a].Headcount); c != 0 {
			return c
		}
		return cmp.Compare(agree[b].Area, agree[a].Area)
	}
	slices.SortStableFunc(ranked, byVotes)
	rank := make([]int, len(keys))
	for pos, i := range ranked {
		if pos > 0 && byVotes(ranked[pos-1], i) == 0 {
			rank[i] = rank[ranked[pos-1]]
		} else {
			rank[i] = pos + 1
		}
	}
	for i, k := range keys {
		res.Candidates[k] = CandidateResult{Key: k, Agree: agree[i], Qualified: rank[i] > 0, Rank: rank[i]}
	}

	seats := max(spec.Seats, 0)
	places := max(spec.Alternates, 0)
	var elected, runoff, alternates, altTie []int
	if seats > 0 && len(ranked) > seats && byVotes(ranked[seats-1], ranked[seats]) == 0 {
		// A tie across the last seat: the tied go to a runoff, the seats above them are filled.
		start := seats - 1
		for start > 0 && byVotes(ranked[start-1], ranked[seats-1]) == 0 {
			start--
		}
		end := seats + 1
		for end < len(ranked) && byVotes(ranked[end], ranked[seats-1]) == 0 {
			end++
		}
		elected, runoff = ranked[:start], ranked[start:end]
		// The runoff's losers rank ahead of the lower-ranked: keep their places.
		losers := len(runoff) - (seats - start)
		res.AlternatesPending = min(losers, places)
		alternates, altTie, res.AlternateTiePlaces = cutAlternates(ranked[end:], places-res.AlternatesPending, byVotes)
	} else {
		n := min(seats, len(ranked))
		elected = ranked[:n]
		alternates, altTie, res.AlternateTiePlaces = cutAlternates(ranked[n:], places, byVotes)
	}

	for _, i := range slices.Sorted(slices.Values(elected)) {
		res.Elected = append(res.Elected, keys[i])
	}
	for _, i := range slices.Sorted(slices.Values(runoff)) {
		res.Runoff = append(res.Runoff, keys[i])
	}
	for _, i := range alternates {
		res.Alternates = append(res.Alternates, keys[i])
	}
	for _, i := range slices.Sorted(slices.Values(altTie)) {
		res.AlternateTie = append(res.AlternateTie, keys[i])
	}
	res.VacantSeats = max(spec.Seats-len(res.Elected), 0)
	res.CommitteeFormed = CommitteeFormed(len(res.Elected), spec.MinMembers, spec.Seats)
	return res
}

// CommitteeFormed is the formed test (HZ 27): the members elected reach the legal minimum
// and more than half the planned seats. A pending runoff does not stop it.
func CommitteeFormed(elected, minMembers, seats int) bool {
	return elected >= minMembers && 2*elected > seats
}

// cutAlternates takes up to places alternates from the ranked candidates below the seats.
// When the last place falls inside a group of equal counts, the candidates above the
// group are alternates and the group is returned as tied, with the places left for it.
func cutAlternates(rest []int, places int, byVotes func(a, b int) int) (alternates, tied []int, tiePlaces int) {
	if places <= 0 || len(rest) == 0 {
		return nil, nil, 0
	}
	if len(rest) <= places || byVotes(rest[places-1], rest[places]) != 0 {
		return rest[:min(places, len(rest))], nil, 0
	}
	start := places - 1
	for start > 0 && byVotes(rest[start-1], rest[places-1]) == 0 {
		start--
	}
	end := places + 1
	for end < len(rest) && byVotes(rest[end], rest[places-1]) == 0 {
		end++
	}
	return rest[:start], rest[start:end], places - start
}

// ElectionHowTo is how an owner answers a committee-election item, the one wording the
// ballot page, the notice, the paper ballot, the results page and the resolution use
// (issue 16). It says what tallyElection counts: a tick is an agreement with that
// candidate, at most seats ticks; more ticks make the ballot invalid for the item; a
// candidate left unticked is not agreed with. There is no per-candidate oppose or
// abstain. The web pages show it through the catalogue key i16.election_how, whose
// Chinese text is this one (a test keeps them equal).
func ElectionHowTo(seats int) (zh, en string) {
	zh = fmt.Sprintf("在同意的候选人后打“√”，最多 %d 名；超过 %d 名的，本项选票无效；未打“√”的候选人不计同意。", seats, seats)
	en = fmt.Sprintf("Tick the candidates you agree with, at most %d; a ballot with more than %d ticks is invalid for this item; a candidate left unticked is not agreed with.", seats, seats)
	return zh, en
}

// ElectionSeatsLine states the seats of an election item and, only when there are any,
// the alternates (alternates are the next-ranked qualified candidates, up to that number).
func ElectionSeatsLine(seats, alternates int) (zh, en string) {
	zh, en = fmt.Sprintf("应选委员 %d 名", seats), fmt.Sprintf("%d seats", seats)
	if alternates > 0 {
		zh += fmt.Sprintf("，候补委员不超过 %d 名（按得票名次依次产生）", alternates)
		en += fmt.Sprintf(", up to %d alternates (the next ranked)", alternates)
	}
	return zh, en
}
