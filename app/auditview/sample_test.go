package auditview

import (
	"slices"
	"testing"
)

// TestStreamVector: the stream is SHA-256 in counter mode as docs/audit.md says;
// the expected numbers were computed with Python's hashlib.
func TestStreamVector(t *testing.T) {
	s := NewStream("abc")
	if got := s.Uint64(); got != 7890472580918702933 {
		t.Fatalf("block 0: %d", got)
	}
	if got := s.Uint64(); got != 18025902073583807346 {
		t.Fatalf("block 1: %d", got)
	}
}

func TestSampleReproducibleAndUniform(t *testing.T) {
	pop := make([]int64, 40)
	for i := range pop {
		pop[i] = int64(100 + i)
	}
	a, b := Sample(pop, 10, "dice-31415"), Sample(pop, 10, "dice-31415")
	if !slices.Equal(a, b) || len(a) != 10 {
		t.Fatalf("same seed, different samples: %v %v", a, b)
	}
	if c := Sample(pop, 10, "dice-31416"); slices.Equal(a, c) {
		t.Fatalf("another seed drew the same sample %v", c)
	}
	seen := map[int64]bool{}
	for _, id := range a {
		if seen[id] || id < 100 || id >= 140 {
			t.Fatalf("sample %v: repeated or foreign ballot", a)
		}
		seen[id] = true
	}
	if all := Sample(pop, 99, "x"); len(all) != 40 {
		t.Fatalf("a sample larger than the population: %d", len(all))
	}
	// Each ballot is drawn about equally often over many seeds.
	counts := make([]int, 40)
	for i := range 4000 {
		for _, id := range Sample(pop, 4, "seed-"+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676))) {
			counts[id-100]++
		}
	}
	for i, n := range counts {
		if n < 250 || n > 550 { // expected 400
			t.Errorf("ballot %d drawn %d times of 16000 draws", i, n)
		}
	}
	if NewStream("x").Below(1) != 0 {
		t.Error("Below(1)")
	}
}

func TestRateExact(t *testing.T) {
	cases := []struct {
		checked, disc int
		fraction, pct string
	}{
		{4, 1, "1/4", "25.00%"}, {3, 1, "1/3", "33.33%"}, {3, 2, "2/3", "66.67%"}, {8, 1, "1/8", "12.50%"},
		{200, 1, "1/200", "0.50%"}, {1, 0, "0/1", "0.00%"}, {0, 0, "0/0", ""}, {7, 7, "7/7", "100.00%"},
	}
	for _, c := range cases {
		r := RateOf(c.checked, c.disc, 0)
		if r.Fraction != c.fraction || r.Percent != c.pct {
			t.Errorf("%d of %d: %s %s", c.disc, c.checked, r.Fraction, r.Percent)
		}
	}
}
