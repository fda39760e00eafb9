package rules

import (
	"errors"
	"testing"
)

// The profile edges of docs/rules.md "Election edges" (issue 12): committee size, alternates
// and term by profile.
func TestProfileElectionEdges(t *testing.T) {
	prof := func(code string) JurisdictionProfile {
		p, ok := ProfileByCode(code)
		if !ok {
			t.Fatalf("no profile %s", code)
		}
		return p
	}
	bj, sh, hz, nat := prof("beijing"), prof("shanghai"), prof("hangzhou"), prof("national")

	// Shanghai: 3 members where the total building area is at most 10,000 m² (SH 20),
	// whatever the households; not above it.
	small := EstateSize{Households: 300, Area: 10_000_00}
	large := EstateSize{Households: 80, Area: 10_000_01}
	if !sh.CommitteeSizeAllowedFor(3, small) || sh.MinCommitteeMembersFor(small) != 3 {
		t.Errorf("shanghai, 10,000.00 m²: 3 members not allowed")
	}
	if sh.CommitteeSizeAllowedFor(3, large) || sh.MinCommitteeMembersFor(large) != 5 {
		t.Errorf("shanghai, 10,000.01 m² and 80 households: 3 members allowed")
	}
	// Beijing and Hangzhou count households, not area.
	if bj.CommitteeSizeAllowedFor(3, small) || !bj.CommitteeSizeAllowedFor(3, large) {
		t.Errorf("beijing: the small estate is ≤ 100 households")
	}
	if err := ValidateElectionSeatsFor(sh, 3, 1, small, false, 0); err != nil {
		t.Errorf("shanghai 3 seats on a small estate: %v", err)
	}

	// Alternates: Beijing up to the number of members (BJ 39), Hangzhou uncapped, national 2.
	if err := ValidateElectionSeatsFor(bj, 7, 7, large, false, 0); err != nil {
		t.Errorf("beijing 7 members, 7 alternates: %v", err)
	}
	if err := ValidateElectionSeatsFor(bj, 7, 8, large, false, 0); !errors.Is(err, ErrElectionSeats) {
		t.Errorf("beijing 7 members, 8 alternates accepted")
	}
	if err := ValidateElectionSeatsFor(hz, 5, 40, large, false, 0); err != nil {
		t.Errorf("hangzhou 40 alternates: %v", err)
	}
	if err := ValidateElectionSeatsFor(nat, 5, 3, large, false, 0); !errors.Is(err, ErrElectionSeats) {
		t.Errorf("national 3 alternates accepted")
	}
	if bj.AlternatesCap(7) != 7 || hz.AlternatesCap(7) != -1 || nat.AlternatesCap(7) != 2 {
		t.Errorf("alternates caps: bj %d hz %d national %d", bj.AlternatesCap(7), hz.AlternatesCap(7), nat.AlternatesCap(7))
	}

	// Term: at most 5 years; at least 3 in Shanghai and Hangzhou (SH 20, HZ 33).
	for _, c := range []struct {
		p     JurisdictionProfile
		years int
		ok    bool
	}{{sh, 2, false}, {sh, 3, true}, {hz, 2, false}, {hz, 5, true}, {hz, 6, false}, {bj, 2, true}, {nat, 1, true}, {nat, 0, false}} {
		if err := c.p.ValidateTerm(c.years); (err == nil) != c.ok {
			t.Errorf("%s term %d years: %v", c.p.Code, c.years, err)
		}
	}
	if sh.TermMinYears != 3 || hz.TermMinYears != 3 || bj.TermMinYears != 0 {
		t.Errorf("term minimums: sh %d hz %d bj %d", sh.TermMinYears, hz.TermMinYears, bj.TermMinYears)
	}
}
