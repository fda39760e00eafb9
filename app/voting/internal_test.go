package voting

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

func TestBatcherTakesOneRequestPerKeyInArrivalOrder(t *testing.T) {
	type req struct{ voter, n int }
	b := &batcher[req, int]{maxBatch: 3, key: func(r req) int { return r.voter }}
	b.queue = []req{{1, 1}, {2, 2}, {1, 3}, {3, 4}, {4, 5}, {2, 6}}
	for i, want := range [][]req{{{1, 1}, {2, 2}, {3, 4}}, {{1, 3}, {4, 5}, {2, 6}}, nil} {
		if got := b.take(); !slices.Equal(got, want) {
			t.Errorf("batch %d: %v, want %v", i, got, want)
		}
	}
	plain := &batcher[int, int]{maxBatch: 2}
	plain.queue = []int{1, 1, 2}
	for i, want := range [][]int{{1, 1}, {2}, nil} {
		if got := plain.take(); !slices.Equal(got, want) {
			t.Errorf("plain batch %d: %v, want %v", i, got, want)
		}
	}
}

func TestBatcherServesEveryRequestWithBoundedWorkers(t *testing.T) {
	var running, most atomic.Int64
	var served sync.WaitGroup
	b := &batcher[int, int]{maxWorkers: 2, maxBatch: 4, serve: func(batch []int) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		for range batch {
			served.Done()
		}
	}}
	served.Add(500)
	for i := range 500 {
		go b.add(i)
	}
	served.Wait()
	if most.Load() > 2 {
		t.Errorf("%d batches served at once, at most 2 allowed", most.Load())
	}
}
