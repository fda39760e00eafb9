package voting

import (
	"testing"

	"gongzhi/app/rules"
)

func TestQuorumLinesAreTheLeastThatMeetTheQuorum(t *testing.T) {
	for _, lp := range rules.LegalProfiles() {
		for _, total := range []rules.Count{{Area: 269604, Headcount: 20}, {Area: 12957498, Headcount: 1089}, {Area: 1, Headcount: 1},
			{Area: 3, Headcount: 3}, {Area: 100, Headcount: 2}, {Area: 99999, Headcount: 7}} {
			area, head := quorumLines(lp, total)
			if !rules.QuorumMet(lp, rules.Count{Area: area, Headcount: head}, total) {
				t.Errorf("%s %+v: lines %d/%d do not meet the quorum", lp, total, area, head)
			}
			if rules.QuorumMet(lp, rules.Count{Area: area - 1, Headcount: head}, total) ||
				rules.QuorumMet(lp, rules.Count{Area: area, Headcount: head - 1}, total) {
				t.Errorf("%s %+v: lines %d/%d are not the least", lp, total, area, head)
			}
		}
	}
}

func TestNormalizeReceipt(t *testing.T) {
	for in, want := range map[string]string{
		"abcd-efgh-ijkl-mnop":   "ABCD-EFGH-IJKL-MNOP",
		" ABCDEFGHIJKLMNOP ":    "ABCD-EFGH-IJKL-MNOP",
		"abcd efgh ijkl mnop":   "ABCD-EFGH-IJKL-MNOP",
		"ABCD":                  "ABCD",
		"ABCD-EFGH-IJKL-MNOP-Q": "ABCDEFGHIJKLMNOPQ",
	} {
		if got := NormalizeReceipt(in); got != want {
			t.Errorf("NormalizeReceipt(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalChoices(t *testing.T) {
	ag := &agenda{
		items: []Item{
			{Key: "b", Matter: rules.MatterOther},
			{Key: "a", Matter: rules.MatterRebuild},
			{Key: "e", Matter: rules.MatterElectCommittee, Seats: 1, Candidates: []Candidate{{Key: "X"}, {Key: "Y"}, {Key: "Z"}}},
		},
		byKey:        map[string]int{"b": 0, "a": 1, "e": 2},
		candidatePos: map[string]map[string]int{"e": {"X": 0, "Y": 1, "Z": 2}},
	}
	got, err := ag.canonical(Choices{"b": {Option: "oppose"}, "a": {Option: ""}, "e": {Candidates: []string{"Z", "X"}, IsList: true}})
	if err != nil {
		t.Fatal(err)
	}
	// Sorted keys, the blank left out, candidates in list order; more than the seats is kept.
	if want := `{"b":"oppose","e":["X","Z"]}`; got != want {
		t.Errorf("canonical = %s, want %s", got, want)
	}
	if got, err := ag.canonical(Choices{}); err != nil || got != "{}" {
		t.Errorf("empty ballot: %q %v", got, err)
	}
	pc, err := parseChoices([]byte(`{"b":"oppose","e":["X","Z"]}`))
	if err != nil || pc.items["b"] != rules.ChoiceOppose || len(pc.elections["e"]) != 2 {
		t.Errorf("parse: %+v %v", pc, err)
	}
}
