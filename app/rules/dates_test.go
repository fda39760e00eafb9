package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gongzhi/app/rules"
)

// shanghaiWall is the UTC instant of a Shanghai wall-clock time.
func shanghaiWall(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, rules.Shanghai()).UTC()
}

// shanghaiMidnight is 00:00 Asia/Shanghai of the date, as a UTC instant.
func shanghaiMidnight(y int, m time.Month, d int) time.Time {
	return shanghaiWall(y, m, d, 0, 0)
}

// mustProfile fetches a shipped profile or stops the test.
func mustProfile(t testing.TB, code string) rules.JurisdictionProfile {
	t.Helper()
	p, ok := rules.ProfileByCode(code)
	if !ok {
		t.Fatalf("profile %q not shipped", code)
	}
	return p
}

func TestShanghaiLocation(t *testing.T) {
	loc := rules.Shanghai()
	if loc.String() != "Asia/Shanghai" {
		t.Errorf("Shanghai() = %q, want Asia/Shanghai (time/tzdata is embedded)", loc)
	}
	_, offset := time.Date(2026, 7, 1, 12, 0, 0, 0, loc).Zone()
	if offset != 8*3600 {
		t.Errorf("offset = %d s, want +08:00", offset)
	}
	if got := shanghaiMidnight(2026, 10, 9); !got.Equal(time.Date(2026, 10, 8, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("2026-10-09 00:00 Shanghai = %v UTC, want 2026-10-08 16:00", got)
	}
}

func TestOfficialCalendarIsRestDay(t *testing.T) {
	cal := rules.OfficialCalendar()
	tests := []struct {
		name string
		at   time.Time
		rest bool
	}{
		// 2025 (国办发明电〔2024〕12号)
		{"2025 New Year Wed", shanghaiMidnight(2025, 1, 1), true},
		{"2025 make-up Sun before Spring Festival", shanghaiMidnight(2025, 1, 26), false},
		{"2025 Spring Festival first day Tue", shanghaiMidnight(2025, 1, 28), true},
		{"2025 Spring Festival last day Tue", shanghaiMidnight(2025, 2, 4), true},
		{"2025 after Spring Festival Wed", shanghaiMidnight(2025, 2, 5), false},
		{"2025 make-up Sat Feb 8", shanghaiMidnight(2025, 2, 8), false},
		{"2025 Qingming Fri", shanghaiMidnight(2025, 4, 4), true},
		{"2025 make-up Sun Apr 27", shanghaiMidnight(2025, 4, 27), false},
		{"2025 Labour Day Mon May 5", shanghaiMidnight(2025, 5, 5), true},
		{"2025 Dragon Boat Mon Jun 2", shanghaiMidnight(2025, 6, 2), true},
		{"2025 make-up Sun Sep 28", shanghaiMidnight(2025, 9, 28), false},
		{"2025 National Day Wed Oct 8", shanghaiMidnight(2025, 10, 8), true},
		{"2025 Thu Oct 9", shanghaiMidnight(2025, 10, 9), false},
		{"2025 make-up Sat Oct 11", shanghaiMidnight(2025, 10, 11), false},
		// 2026 (State Council notice for 2026)
		{"2026 New Year Fri", shanghaiMidnight(2026, 1, 2), true},
		{"2026 New Year Sat", shanghaiMidnight(2026, 1, 3), true},
		{"2026 make-up Sun Jan 4", shanghaiMidnight(2026, 1, 4), false},
		{"2026 make-up Sat Feb 14", shanghaiMidnight(2026, 2, 14), false},
		{"2026 Spring Festival Mon Feb 23", shanghaiMidnight(2026, 2, 23), true},
		{"2026 Tue Feb 24", shanghaiMidnight(2026, 2, 24), false},
		{"2026 make-up Sat Feb 28", shanghaiMidnight(2026, 2, 28), false},
		{"2026 ordinary Sat Mar 7", shanghaiMidnight(2026, 3, 7), true},
		{"2026 ordinary Mon Mar 9", shanghaiMidnight(2026, 3, 9), false},
		{"2026 Qingming Mon Apr 6", shanghaiMidnight(2026, 4, 6), true},
		{"2026 Labour Day Tue May 5", shanghaiMidnight(2026, 5, 5), true},
		{"2026 make-up Sat May 9", shanghaiMidnight(2026, 5, 9), false},
		{"2026 Dragon Boat Fri Jun 19", shanghaiMidnight(2026, 6, 19), true},
		{"2026 make-up Sun Sep 20", shanghaiMidnight(2026, 9, 20), false},
		{"2026 Mid-Autumn Fri Sep 25", shanghaiMidnight(2026, 9, 25), true},
		{"2026 National Day Thu Oct 1", shanghaiMidnight(2026, 10, 1), true},
		{"2026 National Day Wed Oct 7", shanghaiMidnight(2026, 10, 7), true},
		{"2026 Thu Oct 8", shanghaiMidnight(2026, 10, 8), false},
		{"2026 make-up Sat Oct 10", shanghaiMidnight(2026, 10, 10), false},
		// the date is the Shanghai date of the instant
		{"Oct 7 23:59 Shanghai (15:59 UTC)", time.Date(2026, 10, 7, 15, 59, 0, 0, time.UTC), true},
		{"Oct 8 00:00 Shanghai (Oct 7 16:00 UTC)", time.Date(2026, 10, 7, 16, 0, 0, 0, time.UTC), false},
		// 2027 has no notice yet: weekends only
		{"2027 Fri Oct 1 without data", shanghaiMidnight(2027, 10, 1), false},
		{"2027 Sat Oct 2", shanghaiMidnight(2027, 10, 2), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.IsRestDay(tt.at); got != tt.rest {
				t.Errorf("IsRestDay(%v) = %v, want %v", tt.at, got, tt.rest)
			}
		})
	}
}

func TestOfficialCalendarCoverage(t *testing.T) {
	cal := rules.OfficialCalendar()
	for year, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if got := cal.Covers(year); got != want {
			t.Errorf("Covers(%d) = %v, want %v", year, got, want)
		}
	}
	// The notices count 28 statutory rest days in 2025 and 33 in 2026 (weekends included).
	for year, want := range map[int]int{2025: 28, 2026: 33} {
		holidays := 0
		for _, n := range rules.OfficialHolidayNotices() {
			if n.Year != year {
				continue
			}
			for _, s := range n.RestDays {
				from, _ := time.Parse(time.DateOnly, s.From)
				to, _ := time.Parse(time.DateOnly, s.To)
				holidays += int(to.Sub(from).Hours()/24) + 1
			}
		}
		if holidays != want {
			t.Errorf("%d: %d holiday dates, want %d", year, holidays, want)
		}
	}
}

func TestNewStatutoryCalendarRejectsBadData(t *testing.T) {
	tests := []struct {
		name   string
		notice rules.HolidayNotice
	}{
		{"bad date", rules.HolidayNotice{Year: 2027, RestDays: []rules.HolidaySpan{{"2027-10-1", "2027-10-07"}}}},
		{"span outside year", rules.HolidayNotice{Year: 2027, RestDays: []rules.HolidaySpan{{"2026-12-31", "2027-01-01"}}}},
		{"span backwards", rules.HolidayNotice{Year: 2027, RestDays: []rules.HolidaySpan{{"2027-10-07", "2027-10-01"}}}},
		{"make-up day on a weekday", rules.HolidayNotice{Year: 2027, MakeUpWorkdays: []string{"2027-10-08"}}},
		{"make-up day outside year", rules.HolidayNotice{Year: 2027, MakeUpWorkdays: []string{"2026-10-10"}}},
		{"make-up day is also a holiday", rules.HolidayNotice{Year: 2027,
			RestDays: []rules.HolidaySpan{{"2027-10-01", "2027-10-07"}}, MakeUpWorkdays: []string{"2027-10-02"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := rules.NewStatutoryCalendar(tt.notice); !errors.Is(err, rules.ErrHolidayData) {
				t.Errorf("err = %v, want ErrHolidayData", err)
			}
		})
	}
	t.Run("duplicate year", func(t *testing.T) {
		n := rules.HolidayNotice{Year: 2027}
		if _, err := rules.NewStatutoryCalendar(n, n); !errors.Is(err, rules.ErrHolidayData) {
			t.Errorf("err = %v, want ErrHolidayData", err)
		}
	})
	t.Run("a new year's notice extends the calendar", func(t *testing.T) {
		cal, err := rules.NewStatutoryCalendar(rules.HolidayNotice{Year: 2027,
			RestDays: []rules.HolidaySpan{{"2027-10-01", "2027-10-07"}}, MakeUpWorkdays: []string{"2027-10-09"}})
		if err != nil {
			t.Fatal(err)
		}
		if !cal.Covers(2027) || !cal.IsRestDay(shanghaiMidnight(2027, 10, 1)) || cal.IsRestDay(shanghaiMidnight(2027, 10, 9)) {
			t.Error("2027 data not applied")
		}
	})
}

func TestPeriodEnd(t *testing.T) {
	official := rules.OfficialCalendar()
	weekendsOnly := rules.StatutoryCalendar{}
	tests := []struct {
		name  string
		start time.Time
		days  int
		cal   rules.Calendar
		want  time.Time
	}{
		{"start day not counted, ends 24:00 of the last day",
			shanghaiWall(2026, 3, 2, 15, 0), 3, official, shanghaiMidnight(2026, 3, 6)}, // Mon + 3 = Thu Mar 5
		{"zero days ends at 24:00 of the start day",
			shanghaiWall(2026, 3, 6, 10, 0), 0, official, shanghaiMidnight(2026, 3, 7)},
		{"negative days count as zero",
			shanghaiWall(2026, 3, 6, 10, 0), -4, official, shanghaiMidnight(2026, 3, 7)},
		{"last day Saturday moves to Monday",
			shanghaiWall(2026, 3, 4, 9, 0), 3, official, shanghaiMidnight(2026, 3, 10)}, // Sat Mar 7 -> Mon Mar 9
		// 2026-09-03 + 30 = Sat 2026-10-03, inside the National Day holiday Oct 1-7 (Thu-Wed);
		// Thu Oct 8 is the next working day, so the period ends at 24:00 Oct 8 = 00:00 Oct 9.
		{"last day 2026-10-03 in National Day holiday ends 2026-10-09 00:00",
			shanghaiWall(2026, 9, 3, 10, 0), 30, official, shanghaiMidnight(2026, 10, 9)},
		{"last day a make-up working Saturday is not moved",
			shanghaiWall(2026, 10, 5, 10, 0), 5, official, shanghaiMidnight(2026, 10, 11)}, // Sat Oct 10 worked
		{"last day a make-up working Sunday (2026-01-04) is not moved",
			shanghaiWall(2025, 12, 30, 10, 0), 5, official, shanghaiMidnight(2026, 1, 5)},
		{"Spring Festival 2026 Feb 15-23 moves to Tue Feb 24",
			shanghaiWall(2026, 2, 5, 10, 0), 10, official, shanghaiMidnight(2026, 2, 25)},
		{"2025 National Day Oct 1-8 moves to Thu Oct 9",
			shanghaiWall(2025, 9, 28, 10, 0), 10, official, shanghaiMidnight(2025, 10, 10)}, // last day Oct 8
		{"start date is the Shanghai date: 20:00 UTC is the next day in Shanghai",
			time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC), 1, official, shanghaiMidnight(2026, 3, 5)}, // Tue Mar 3 + 1
		{"year without data: weekends only (2027-10-01 is a Friday)",
			shanghaiWall(2027, 9, 21, 10, 0), 10, official, shanghaiMidnight(2027, 10, 2)},
		{"weekends-only calendar ignores the holiday",
			shanghaiWall(2026, 9, 3, 10, 0), 30, weekendsOnly, shanghaiMidnight(2026, 10, 6)}, // Sat Oct 3 -> Mon Oct 5
		{"nil calendar means the official one",
			shanghaiWall(2026, 9, 3, 10, 0), 30, nil, shanghaiMidnight(2026, 10, 9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.PeriodEnd(tt.start, tt.days, tt.cal)
			if !got.Equal(tt.want) {
				t.Errorf("PeriodEnd = %v (%v Shanghai), want %v", got, got.In(rules.Shanghai()), tt.want.In(rules.Shanghai()))
			}
			if got.Location() != time.UTC {
				t.Errorf("PeriodEnd location = %v, want UTC", got.Location())
			}
		})
	}
}

// everyDayRest is a calendar that never has a working day.
type everyDayRest struct{}

func (everyDayRest) IsRestDay(time.Time) bool { return true }

func TestPeriodEndTerminatesOnDegenerateCalendar(t *testing.T) {
	start := shanghaiWall(2026, 3, 2, 10, 0)
	got := rules.PeriodEnd(start, 1, everyDayRest{})
	if days := rules.CalendarDaysBetween(start, got); days < 300 || days > 400 {
		t.Errorf("PeriodEnd on an all-rest calendar ended %d days later, want a bounded search of about a year", days)
	}
}

func TestCalendarDaysBetween(t *testing.T) {
	tests := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"same day", shanghaiWall(2026, 3, 1, 0, 1), shanghaiWall(2026, 3, 1, 23, 59), 0},
		{"one minute across midnight", shanghaiWall(2026, 3, 1, 23, 59), shanghaiWall(2026, 3, 2, 0, 0), 1},
		{"UTC instants on the same UTC day but different Shanghai days",
			time.Date(2026, 3, 1, 15, 59, 0, 0, time.UTC), time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC), 1},
		{"backwards", shanghaiWall(2026, 3, 16, 9, 0), shanghaiWall(2026, 3, 1, 9, 0), -15},
		{"across a leap day", shanghaiWall(2028, 2, 28, 12, 0), shanghaiWall(2028, 3, 1, 12, 0), 2},
		{"across the year end", shanghaiWall(2025, 12, 31, 23, 0), shanghaiWall(2026, 1, 1, 1, 0), 1},
		{"a whole year", shanghaiWall(2026, 1, 1, 0, 0), shanghaiWall(2027, 1, 1, 0, 0), 365},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules.CalendarDaysBetween(tt.from, tt.to); got != tt.want {
				t.Errorf("CalendarDaysBetween = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestNoticeLeadSatisfied(t *testing.T) {
	notice := shanghaiWall(2026, 3, 1, 10, 0)
	tests := []struct {
		name  string
		opens time.Time
		days  int
		want  bool
	}{
		{"exactly 15 x 24h later", notice.Add(15 * 24 * time.Hour), 15, true},
		{"14 x 24h later", notice.Add(14 * 24 * time.Hour), 15, false},
		{"date 15 days later, earlier clock time", shanghaiWall(2026, 3, 16, 0, 1), 15, true},
		{"date 14 days later, late evening", shanghaiWall(2026, 3, 15, 23, 59), 15, false},
		{"more than enough", shanghaiWall(2026, 4, 1, 9, 0), 15, true},
		{"opening before the notice", shanghaiWall(2026, 2, 20, 9, 0), 15, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules.NoticeLeadSatisfied(notice, tt.opens, tt.days); got != tt.want {
				t.Errorf("NoticeLeadSatisfied = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVotingPeriodAllowed(t *testing.T) {
	national := mustProfile(t, "national") // 1-60 days
	hangzhou := mustProfile(t, "hangzhou") // 5-60 days (HZ 20)
	opens := shanghaiWall(2026, 3, 2, 9, 0)
	const day = 24 * time.Hour
	tests := []struct {
		name     string
		profile  rules.JurisdictionProfile
		closesAt time.Time
		wantText string // "" = allowed
	}{
		{"closes at opening", national, opens, "截止时间必须晚于开始时间"},
		{"closes before opening", national, opens.Add(-time.Hour), "截止时间必须晚于开始时间"},
		{"23 hours counts as 0 days", national, opens.Add(23 * time.Hour), "少于最短期限 1 日"},
		{"exactly one day", national, opens.Add(day), ""},
		{"exactly 60 days", national, opens.Add(60 * day), ""},
		{"60 days and a second", national, opens.Add(60*day + time.Second), "超过最长期限 60 日"},
		{"Hangzhou 5 days less a minute", hangzhou, opens.Add(5*day - time.Minute), "少于最短期限 5 日"},
		{"Hangzhou exactly 5 days", hangzhou, opens.Add(5 * day), ""},
		{"Hangzhou 4 days allowed nationally", national, opens.Add(4 * day), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.VotingPeriodAllowed(opens, tt.closesAt, tt.profile)
			if tt.wantText == "" {
				if err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, rules.ErrVotingPeriod) {
				t.Fatalf("err = %v, want ErrVotingPeriod", err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantText)
			}
		})
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		name   string
		t      time.Time
		months int
		want   time.Time
	}{
		{"plain", shanghaiWall(2026, 3, 15, 10, 30), 1, shanghaiWall(2026, 4, 15, 10, 30)},
		{"clamped to February", shanghaiWall(2026, 1, 31, 10, 0), 1, shanghaiWall(2026, 2, 28, 10, 0)},
		{"clamped to leap February", shanghaiWall(2028, 1, 31, 10, 0), 1, shanghaiWall(2028, 2, 29, 10, 0)},
		{"backwards clamped", shanghaiWall(2026, 3, 31, 10, 0), -1, shanghaiWall(2026, 2, 28, 10, 0)},
		{"backwards across the year", shanghaiWall(2026, 3, 16, 0, 0), -6, shanghaiWall(2025, 9, 16, 0, 0)},
		{"twelve months", shanghaiWall(2026, 8, 31, 8, 0), 12, shanghaiWall(2027, 8, 31, 8, 0)},
		{"zero months", shanghaiWall(2026, 8, 31, 8, 0), 0, shanghaiWall(2026, 8, 31, 8, 0)},
		// 2026-01-31 16:30 UTC is 2026-02-01 00:30 in Shanghai: the Shanghai date moves.
		{"uses the Shanghai date", time.Date(2026, 1, 31, 16, 30, 0, 0, time.UTC), 1, shanghaiWall(2026, 3, 1, 0, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.AddMonths(tt.t, tt.months)
			if !got.Equal(tt.want) {
				t.Errorf("AddMonths = %v, want %v", got.In(rules.Shanghai()), tt.want.In(rules.Shanghai()))
			}
			if got.Location() != time.UTC {
				t.Errorf("location = %v, want UTC", got.Location())
			}
		})
	}
}

func TestTermEndAndReelectionStart(t *testing.T) {
	tests := []struct {
		name      string
		start     time.Time
		years     int
		wantEnd   time.Time
		profile   string
		wantStart time.Time
	}{
		{"five years, Beijing 6 months ahead", shanghaiWall(2026, 3, 15, 10, 0), 5,
			shanghaiMidnight(2031, 3, 16), "beijing", shanghaiMidnight(2030, 9, 16)},
		{"five years, Shanghai 5 months ahead", shanghaiWall(2026, 3, 15, 10, 0), 5,
			shanghaiMidnight(2031, 3, 16), "shanghai", shanghaiMidnight(2030, 10, 16)},
		{"five years, national 3 months ahead", shanghaiWall(2026, 3, 15, 10, 0), 5,
			shanghaiMidnight(2031, 3, 16), "national", shanghaiMidnight(2030, 12, 16)},
		// 29 Feb 2028 has no counterpart in 2033: the last day is 28 Feb, ending 24:00.
		{"leap day start", shanghaiWall(2028, 2, 29, 10, 0), 5,
			shanghaiMidnight(2033, 3, 1), "national", shanghaiMidnight(2032, 12, 1)},
		// A term is not extended over rest days: 2031-03-15 is a Saturday.
		{"three years", shanghaiWall(2028, 3, 15, 23, 30), 3,
			shanghaiMidnight(2031, 3, 16), "national", shanghaiMidnight(2030, 12, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end := rules.TermEnd(tt.start, tt.years)
			if !end.Equal(tt.wantEnd) {
				t.Errorf("TermEnd = %v, want %v", end.In(rules.Shanghai()), tt.wantEnd.In(rules.Shanghai()))
			}
			start := rules.ReelectionStart(end, mustProfile(t, tt.profile))
			if !start.Equal(tt.wantStart) {
				t.Errorf("ReelectionStart = %v, want %v", start.In(rules.Shanghai()), tt.wantStart.In(rules.Shanghai()))
			}
		})
	}
}

func BenchmarkPeriodEnd(b *testing.B) {
	cal := rules.OfficialCalendar()
	start := shanghaiWall(2026, 9, 3, 10, 0)
	for b.Loop() {
		rules.PeriodEnd(start, 30, cal)
	}
}

func BenchmarkOfficialCalendarBuild(b *testing.B) {
	notices := rules.OfficialHolidayNotices()
	for b.Loop() {
		if _, err := rules.NewStatutoryCalendar(notices...); err != nil {
			b.Fatal(err)
		}
	}
}
