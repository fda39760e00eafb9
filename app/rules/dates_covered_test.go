package rules_test

import (
	"errors"
	"testing"
	"time"

	"gongzhi/app/rules"
)

// testNotice2027 is a made-up notice for a test year (the real 2027 notice is not in
// the sources): New Year's Day and a Spring Festival from Friday 5 to Thursday 11
// February, with Saturday 20 February worked.
func testNotice2027() rules.HolidayNotice {
	return rules.HolidayNotice{Year: 2027, Basis: "测试用通知（虚构）",
		RestDays:       []rules.HolidaySpan{{From: "2027-01-01", To: "2027-01-01"}, {From: "2027-02-05", To: "2027-02-11"}},
		MakeUpWorkdays: []string{"2027-02-20"}}
}

func TestCoveredPeriodEnd(t *testing.T) {
	official := rules.OfficialCalendar()
	withTest, err := rules.NewStatutoryCalendar(append(rules.OfficialHolidayNotices(), testNotice2027())...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cal      rules.StatutoryCalendar
		start    time.Time
		days     int
		want     time.Time
		notCover int // the year named by the refusal, 0: none
	}{
		{"inside a covered year: Mid-Autumn moves the end", official, shanghaiWall(2026, 9, 18, 10, 0), 7, shanghaiMidnight(2026, 9, 29), 0},
		{"last day in December, covered", official, shanghaiWall(2026, 12, 10, 10, 0), 10, shanghaiMidnight(2026, 12, 22), 0},
		{"last day in an uncovered year", official, shanghaiWall(2026, 12, 28, 10, 0), 7, time.Time{}, 2027},
		{"New Year's Day of an uncovered year", official, shanghaiWall(2026, 12, 25, 10, 0), 7, time.Time{}, 2027},
		{"loaded year: Spring Festival moves the end", withTest, shanghaiWall(2027, 1, 29, 10, 0), 7, shanghaiMidnight(2027, 2, 13), 0},
		{"loaded year: a make-up Saturday is a working day", withTest, shanghaiWall(2027, 2, 13, 10, 0), 7, shanghaiMidnight(2027, 2, 21), 0},
		{"loaded year: New Year's Day", withTest, shanghaiWall(2026, 12, 25, 10, 0), 7, shanghaiMidnight(2027, 1, 5), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.CoveredPeriodEnd(tt.start, tt.days, tt.cal)
			var nc *rules.YearNotCoveredError
			if tt.notCover != 0 {
				if !errors.As(err, &nc) || nc.Year != tt.notCover {
					t.Fatalf("got %v, %v; want a refusal naming %d", got, err, tt.notCover)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			if pe := rules.PeriodEnd(tt.start, tt.days, tt.cal); !pe.Equal(got) {
				t.Errorf("PeriodEnd %v differs from CoveredPeriodEnd %v on a covered period", pe, got)
			}
		})
	}
}

func TestNewStatutoryCalendarRejectsOverlapsAndRepeats(t *testing.T) {
	for name, n := range map[string]rules.HolidayNotice{
		"overlapping spans": {Year: 2027, RestDays: []rules.HolidaySpan{{From: "2027-02-05", To: "2027-02-11"}, {From: "2027-02-11", To: "2027-02-12"}}},
		"repeated make-up day": {Year: 2027, RestDays: []rules.HolidaySpan{{From: "2027-02-05", To: "2027-02-11"}},
			MakeUpWorkdays: []string{"2027-02-20", "2027-02-20"}},
	} {
		if _, err := rules.NewStatutoryCalendar(n); !errors.Is(err, rules.ErrHolidayData) {
			t.Errorf("%s: %v, want ErrHolidayData", name, err)
		}
	}
	cal, err := rules.NewStatutoryCalendar(append(rules.OfficialHolidayNotices(), testNotice2027())...)
	if err != nil {
		t.Fatal(err)
	}
	if got := cal.Years(); len(got) != 3 || got[0] != 2025 || got[2] != 2027 {
		t.Errorf("Years() = %v", got)
	}
}
