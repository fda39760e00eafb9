package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gongzhi/app/rules"
)

func TestValidateElectionSeats(t *testing.T) {
	national := mustProfile(t, "national") // 5-11, no small-estate exception, 2 alternates
	beijing := mustProfile(t, "beijing")   // 3 allowed for <= 100 households
	hangzhou := mustProfile(t, "hangzhou")
	tests := []struct {
		name       string
		profile    rules.JurisdictionProfile
		seats      int
		alternates int
		households int
		byElection bool
		vacant     int
		wantText   []string // nil = valid
	}{
		{"5 seats", national, 5, 0, 500, false, 0, nil},
		{"11 seats with 2 alternates", national, 11, 2, 500, false, 0, nil},
		{"even seats", national, 6, 0, 500, false, 0, []string{"委员席位 6 个，应为 5 至 11 之间的单数"}},
		{"13 seats", national, 13, 0, 500, false, 0, []string{"委员席位 13 个"}},
		{"3 seats nationally", national, 3, 0, 80, false, 0, []string{"应为 5 至 11"}},
		{"3 seats in a small Beijing estate", beijing, 3, 0, 80, false, 0, nil},
		{"3 seats in Hangzhou at exactly 100 households", hangzhou, 3, 0, 100, false, 0, nil},
		{"3 seats in a Beijing estate of 101 households", beijing, 3, 0, 101, false, 0, []string{"应为 5 至 11"}},
		{"3 alternates", national, 5, 3, 500, false, 0, []string{"候补委员 3 名，应为 0 至 2 名"}},
		{"negative alternates", national, 5, -1, 500, false, 0, []string{"候补委员 -1 名"}},
		{"seats and alternates both wrong", national, 4, 5, 500, false, 0, []string{"委员席位 4 个", "候补委员 5 名"}},
		{"by-election fills the two vacant seats", national, 2, 0, 500, true, 2, nil},
		{"by-election of one seat", national, 1, 1, 500, true, 3, nil},
		{"by-election beyond the vacancies", national, 3, 0, 500, true, 2, []string{"补选席位 3 个，应为 1 至 2 个"}},
		{"by-election of no seat", national, 0, 0, 500, true, 2, []string{"补选席位 0 个"}},
		{"by-election without a vacancy", national, 1, 0, 500, true, 0, []string{"没有空缺席位"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.ValidateElectionSeats(tt.profile, tt.seats, tt.alternates, tt.households, tt.byElection, tt.vacant)
			if tt.wantText == nil {
				if err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, rules.ErrElectionSeats) {
				t.Fatalf("err = %v, want ErrElectionSeats", err)
			}
			for _, text := range tt.wantText {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("err = %q, want it to mention %q", err, text)
				}
			}
		})
	}
}

func TestChairDeadlines(t *testing.T) {
	national := mustProfile(t, "national") // chair 7 days, publish 3 days, filing 30 days
	tests := []struct {
		name                         string
		electedAt                    time.Time
		wantElect, wantPub, wantFile time.Time
	}{
		// Mon 2026-03-02: +7 = Mon Mar 9; names 3 days after Mar 9 = Thu Mar 12; +30 = Wed Apr 1.
		{"ordinary weeks", shanghaiWall(2026, 3, 2, 16, 0),
			shanghaiMidnight(2026, 3, 10), shanghaiMidnight(2026, 3, 13), shanghaiMidnight(2026, 4, 2)},
		// Thu 2026-09-24: +7 = Thu Oct 1 (National Day to Oct 7) -> Thu Oct 8; names: Oct 8 + 3 =
		// Sun Oct 11 -> Mon Oct 12 (Sat Oct 10 is a make-up working day, not the last day);
		// filing: +30 = Sat Oct 24 -> Mon Oct 26.
		{"across National Day 2026", shanghaiWall(2026, 9, 24, 10, 0),
			shanghaiMidnight(2026, 10, 9), shanghaiMidnight(2026, 10, 13), shanghaiMidnight(2026, 10, 27)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elect, pub, file := rules.ChairDeadlines(tt.electedAt, national)
			for _, c := range []struct {
				what      string
				got, want time.Time
			}{{"electBy", elect, tt.wantElect}, {"publishBy", pub, tt.wantPub}, {"fileBy", file, tt.wantFile}} {
				if !c.got.Equal(c.want) {
					t.Errorf("%s = %v, want %v", c.what, c.got.In(rules.Shanghai()), c.want.In(rules.Shanghai()))
				}
			}
		})
	}
}
