package rules_test

import (
	"strings"
	"testing"

	"gongzhi/app/rules"
)

// slate builds party Party members and others non-members; chair marks member chairAt
// (-1 for no chair).
func slate(party, others, chairAt int) []rules.PartyMember {
	var members []rules.PartyMember
	for i := range party + others {
		members = append(members, rules.PartyMember{Key: string(rune('a' + i)), IsParty: i < party, IsChair: i == chairAt})
	}
	return members
}

func TestComputePartyRatio(t *testing.T) {
	tests := []struct {
		name          string
		members       []rules.PartyMember
		target        int
		wantPercent   string
		wantBelow     bool
		wantChair     bool
		wantChairNot  bool
		wantWarnings  int
		wantWarnMatch string
	}{
		{"exactly 50% is not below a 50% target", slate(3, 3, 0), 50, "50.00%", false, true, false, 0, ""},
		{"2 of 5 is below 50%", slate(2, 3, 0), 50, "40.00%", true, true, false, 1, "低于一般不低于 50% 的要求"},
		{"3 of 5 meets 50%", slate(3, 2, -1), 50, "60.00%", false, false, false, 0, ""},
		{"2 of 3 is below a 67% target", slate(2, 1, 0), 67, "66.67%", true, true, false, 1, "66.67%"},
		{"2 of 3 meets a 66% target", slate(2, 1, 0), 66, "66.67%", false, true, false, 0, ""},
		{"chair not a Party member", slate(3, 2, 4), 50, "60.00%", false, true, true, 1, "主任不是党员"},
		{"below target and chair not a member", slate(1, 4, 3), 50, "20.00%", true, true, true, 2, "主任不是党员"},
		{"no chair marked: nothing said about the chair", slate(0, 5, -1), 50, "0.00%", true, false, false, 1, "党员 0 人"},
		{"no target", slate(0, 5, -1), 0, "0.00%", false, false, false, 0, ""},
		{"empty list", nil, 50, "0.00%", false, false, false, 1, "名单为空"},
		{"two chairs marked", append(slate(3, 0, 0), rules.PartyMember{Key: "z", IsParty: true, IsChair: true}), 50,
			"100.00%", false, true, false, 1, "2 人被标为主任"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rules.ComputePartyRatio(tt.members, tt.target)
			if r.Total != len(tt.members) || r.TargetPercent != tt.target {
				t.Errorf("Total=%d TargetPercent=%d", r.Total, r.TargetPercent)
			}
			if r.Percent != tt.wantPercent {
				t.Errorf("Percent = %q, want %q", r.Percent, tt.wantPercent)
			}
			if r.BelowTarget != tt.wantBelow {
				t.Errorf("BelowTarget = %v, want %v", r.BelowTarget, tt.wantBelow)
			}
			if r.ChairKnown != tt.wantChair || r.ChairNotParty != tt.wantChairNot {
				t.Errorf("ChairKnown=%v ChairNotParty=%v, want %v %v", r.ChairKnown, r.ChairNotParty, tt.wantChair, tt.wantChairNot)
			}
			if len(r.Warnings) != tt.wantWarnings || len(r.WarningsEN) != tt.wantWarnings {
				t.Errorf("warnings = %q / %q, want %d of each", r.Warnings, r.WarningsEN, tt.wantWarnings)
			}
			if tt.wantWarnMatch != "" && !strings.Contains(strings.Join(r.Warnings, "\n"), tt.wantWarnMatch) {
				t.Errorf("warnings %q do not mention %q", r.Warnings, tt.wantWarnMatch)
			}
		})
	}
}

func TestPartyRatioUsesProfileTarget(t *testing.T) {
	p := mustProfile(t, "national")
	r := rules.ComputePartyRatio(slate(5, 5, 0), p.PartyRatioTargetPercent)
	if r.Party != 5 || r.BelowTarget {
		t.Errorf("5 of 10 against the national target %d%%: %+v", p.PartyRatioTargetPercent, r)
	}
}

// The ratio's display relies on Percent (area.go): two decimals, half up.
func TestPercentDisplayForRatios(t *testing.T) {
	tests := []struct {
		part, whole int64
		want        string
	}{
		{1, 2, "50.00%"}, {2, 3, "66.67%"}, {1, 3, "33.33%"}, {1, 32, "3.13%"},
		{0, 5, "0.00%"}, {5, 5, "100.00%"}, {5, 0, "0.00%"}, {269604, 539208, "50.00%"},
	}
	for _, tt := range tests {
		if got := rules.Percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", tt.part, tt.whole, got, tt.want)
		}
	}
}
