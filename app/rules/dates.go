package rules

import (
	"gongzhi/app"

	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	// Embedded zoneinfo so Asia/Shanghai loads on hosts without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Dates and periods (docs/rules.md §6, Civil Code 201-204): the day on which a period starts
// is not counted; a period ends at 24:00 of its last day; a last day that falls on a
// statutory rest day moves to the next working day. Instants are stored in UTC and every
// calendar-date question is asked in Asia/Shanghai.

// shanghaiLocation loads Asia/Shanghai once; a fixed +08:00 zone stands in should the
// zone database be unusable (China has observed no daylight saving since 1991).
var shanghaiLocation = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*60*60)
	}
	return loc
})

// Shanghai returns the Asia/Shanghai location in which dates are shown and counted.
func Shanghai() *time.Location { return shanghaiLocation() }

// calendarDay is a date on the Shanghai calendar without a clock time.
type calendarDay struct {
	year  int
	month time.Month
	day   int
}

// shanghaiDayOf is the Shanghai calendar date of the instant t.
func shanghaiDayOf(t time.Time) calendarDay {
	y, m, d := t.In(Shanghai()).Date()
	return calendarDay{y, m, d}
}

// addDays moves the date by n days (negative n moves back).
func (c calendarDay) addDays(n int) calendarDay {
	y, m, d := time.Date(c.year, c.month, c.day+n, 0, 0, 0, 0, time.UTC).Date()
	return calendarDay{y, m, d}
}

// startUTC is 00:00 Asia/Shanghai of the date, as a UTC instant.
func (c calendarDay) startUTC() time.Time {
	return time.Date(c.year, c.month, c.day, 0, 0, 0, 0, Shanghai()).UTC()
}

// weekday of the date.
func (c calendarDay) weekday() time.Weekday {
	return time.Date(c.year, c.month, c.day, 0, 0, 0, 0, time.UTC).Weekday()
}

// ordinal counts days since 1970-01-01 (negative before), for exact date differences.
func (c calendarDay) ordinal() int {
	return int(time.Date(c.year, c.month, c.day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Calendar tells which dates are rest days (weekends and statutory holidays).
type Calendar interface {
	// IsRestDay reports whether the Shanghai calendar date of date is a rest day.
	IsRestDay(date time.Time) bool
}

// HolidaySpan is an inclusive run of dates, each written "2006-01-02".
type HolidaySpan struct {
	From string
	To   string
}

// HolidayNotice is one year's State Council holiday notice: the statutory holidays with
// the days swapped into them (放假调休) and the weekend days worked in exchange (调休上班).
type HolidayNotice struct {
	Year           int
	Basis          string
	RestDays       []HolidaySpan
	MakeUpWorkdays []string
}

// ErrHolidayData reports a holiday notice that cannot be turned into a calendar.
var ErrHolidayData = errors.New("节假日数据有误")

// OfficialHolidayNotices returns the PRC holiday notices shipped with the system
// (2025 and 2026). A fresh slice is built on every call.
func OfficialHolidayNotices() []HolidayNotice {
	return []HolidayNotice{
		{
			Year:  2025,
			Basis: "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）",
			RestDays: []HolidaySpan{
				{"2025-01-01", "2025-01-01"}, // 元旦
				{"2025-01-28", "2025-02-04"}, // 春节
				{"2025-04-04", "2025-04-06"}, // 清明节
				{"2025-05-01", "2025-05-05"}, // 劳动节
				{"2025-05-31", "2025-06-02"}, // 端午节
				{"2025-10-01", "2025-10-08"}, // 国庆节、中秋节
			},
			MakeUpWorkdays: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
		},
		{
			Year:  2026,
			Basis: "国务院办公厅关于2026年部分节假日安排的通知",
			RestDays: []HolidaySpan{
				{"2026-01-01", "2026-01-03"}, // 元旦
				{"2026-02-15", "2026-02-23"}, // 春节
				{"2026-04-04", "2026-04-06"}, // 清明节
				{"2026-05-01", "2026-05-05"}, // 劳动节
				{"2026-06-19", "2026-06-21"}, // 端午节
				{"2026-09-25", "2026-09-27"}, // 中秋节
				{"2026-10-01", "2026-10-07"}, // 国庆节
			},
			MakeUpWorkdays: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
		},
	}
}

// StatutoryCalendar is the PRC working calendar: Saturdays and Sundays are rest days
// except the make-up working days, and the listed statutory holidays are rest days.
// For a year without a notice it knows weekends only (see Covers), so a period ending
// in such a year is not moved past holidays that were not yet announced. The zero value
// is a weekends-only calendar. It is immutable once built.
type StatutoryCalendar struct {
	restDays map[calendarDay]bool
	workdays map[calendarDay]bool
	years    map[int]bool
}

// holidayError is a 422 with the catalogue message msg, wrapping the Chinese text of
// cause (an ErrHolidayData) for logs and errors.Is.
func holidayError(msg app.Msg, cause error) error {
	return &app.Error{Code: app.EInvalid, Msg: msg, Err: cause}
}

// parseHolidayDate reads "2006-01-02" as a calendar date.
func parseHolidayDate(s string) (calendarDay, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return calendarDay{}, holidayError(app.M("err.rules.holiday_bad_date", s), fmt.Errorf("%w: %q: %w", ErrHolidayData, s, err))
	}
	y, m, d := t.Date()
	return calendarDay{y, m, d}, nil
}

// NewStatutoryCalendar builds a calendar from holiday notices. Every date must lie in its
// notice's year, spans must not run backwards (nor exceed 31 days) nor overlap, and a
// make-up working day must be a Saturday or Sunday, listed once and not also a holiday.
func NewStatutoryCalendar(notices ...HolidayNotice) (StatutoryCalendar, error) {
	cal := StatutoryCalendar{
		restDays: map[calendarDay]bool{},
		workdays: map[calendarDay]bool{},
		years:    map[int]bool{},
	}
	for _, n := range notices {
		if cal.years[n.Year] {
			return StatutoryCalendar{}, holidayError(app.M("err.rules.holiday_year_repeated", n.Year), fmt.Errorf("%w: %d 年的通知重复", ErrHolidayData, n.Year))
		}
		cal.years[n.Year] = true
		for _, span := range n.RestDays {
			from, err := parseHolidayDate(span.From)
			if err != nil {
				return StatutoryCalendar{}, err
			}
			to, err := parseHolidayDate(span.To)
			if err != nil {
				return StatutoryCalendar{}, err
			}
			if from.year != n.Year || to.year != n.Year {
				return StatutoryCalendar{}, holidayError(app.M("err.rules.holiday_span_outside_year", span.From, span.To, n.Year),
					fmt.Errorf("%w: %s 至 %s 不在 %d 年内", ErrHolidayData, span.From, span.To, n.Year))
			}
			length := to.ordinal() - from.ordinal()
			if length < 0 || length > 31 {
				return StatutoryCalendar{}, holidayError(app.M("err.rules.holiday_span_invalid", span.From, span.To),
					fmt.Errorf("%w: %s 至 %s 不是有效的假期区间", ErrHolidayData, span.From, span.To))
			}
			for d := from; d.ordinal() <= to.ordinal(); d = d.addDays(1) {
				if cal.restDays[d] {
					return StatutoryCalendar{}, holidayError(app.M("err.rules.holiday_span_overlaps", span.From, span.To),
						fmt.Errorf("%w: %s 至 %s 与另一段假期重叠", ErrHolidayData, span.From, span.To))
				}
				cal.restDays[d] = true
			}
		}
		for _, s := range n.MakeUpWorkdays {
			d, err := parseHolidayDate(s)
			if err != nil {
				return StatutoryCalendar{}, err
			}
			if d.year != n.Year {
				return StatutoryCalendar{}, holidayError(app.M("err.rules.workday_outside_year", s, n.Year), fmt.Errorf("%w: 调休上班日 %s 不在 %d 年内", ErrHolidayData, s, n.Year))
			}
			if wd := d.weekday(); wd != time.Saturday && wd != time.Sunday {
				return StatutoryCalendar{}, holidayError(app.M("err.rules.workday_not_weekend", s), fmt.Errorf("%w: 调休上班日 %s 不是周末", ErrHolidayData, s))
			}
			if cal.workdays[d] {
				return StatutoryCalendar{}, holidayError(app.M("err.rules.workday_repeated", s), fmt.Errorf("%w: 调休上班日 %s 重复", ErrHolidayData, s))
			}
			cal.workdays[d] = true
		}
	}
	for d := range cal.workdays {
		if cal.restDays[d] {
			return StatutoryCalendar{}, holidayError(app.M("err.rules.day_rest_and_workday", fmt.Sprintf("%04d-%02d-%02d", d.year, d.month, d.day)),
				fmt.Errorf("%w: %04d-%02d-%02d 既是假日又是调休上班日", ErrHolidayData, d.year, d.month, d.day))
		}
	}
	return cal, nil
}

// officialCalendar is built once from OfficialHolidayNotices; it is never modified.
var officialCalendar = sync.OnceValue(func() StatutoryCalendar {
	cal, err := NewStatutoryCalendar(OfficialHolidayNotices()...)
	if err != nil {
		// The data is compiled in and covered by tests; a failure is a build defect.
		panic(fmt.Sprintf("rules: official holiday data: %v", err))
	}
	return cal
})

// OfficialCalendar returns the statutory calendar built from OfficialHolidayNotices.
func OfficialCalendar() StatutoryCalendar { return officialCalendar() }

// IsRestDay reports whether the Shanghai calendar date of date is a rest day.
func (c StatutoryCalendar) IsRestDay(date time.Time) bool {
	return c.isRestDay(shanghaiDayOf(date))
}

func (c StatutoryCalendar) isRestDay(d calendarDay) bool {
	if c.workdays[d] {
		return false
	}
	if c.restDays[d] {
		return true
	}
	wd := d.weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// Covers reports whether the calendar holds a holiday notice for the year; for other
// years it falls back to weekends only.
func (c StatutoryCalendar) Covers(year int) bool { return c.years[year] }

// Years lists the years the calendar holds a notice for, in order.
func (c StatutoryCalendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// YearNotCoveredError reports a date computation that needs to know whether a day of
// Year is a rest day while the calendar holds no holiday notice for that year.
type YearNotCoveredError struct{ Year int }

// Error names the year in Chinese, for the user.
func (e *YearNotCoveredError) Error() string {
	return fmt.Sprintf("%d 年的法定节假日安排尚未载入，期限无法确定：请平台管理员载入国务院办公厅 %d 年的放假通知后再试", e.Year, e.Year)
}

// CoveredPeriodEnd is PeriodEnd under a statutory calendar that must hold a notice for
// every day whose rest-day status decides the end: the last day and the days after it
// that the search passes over. When one of them lies in a year the calendar does not
// cover it returns a *YearNotCoveredError instead of guessing from weekends.
func CoveredPeriodEnd(start time.Time, days int, cal StatutoryCalendar) (time.Time, error) {
	if days < 0 {
		days = 0
	}
	last := shanghaiDayOf(start).addDays(days)
	for i := 0; i < maxRestDayRun; i++ {
		if !cal.years[last.year] {
			return time.Time{}, &YearNotCoveredError{Year: last.year}
		}
		if !cal.isRestDay(last) {
			break
		}
		last = last.addDays(1)
	}
	return last.addDays(1).startUTC(), nil
}

// maxRestDayRun bounds the search for the next working day so that a calendar reporting
// every day as a rest day cannot loop forever; no real rest period comes near it.
const maxRestDayRun = 366

// PeriodEnd returns the instant (UTC) at which a period of days days that starts at start
// ends (CC 201-203): the start day is not counted, so the last day is the Shanghai date of
// start plus days; if that day is a rest day under cal the last day becomes the next
// working day; the period ends at 24:00 of the last day, i.e. 00:00 Asia/Shanghai of the
// following date. A negative days counts as 0; a nil cal means OfficialCalendar().
func PeriodEnd(start time.Time, days int, cal Calendar) time.Time {
	if days < 0 {
		days = 0
	}
	if cal == nil {
		cal = OfficialCalendar()
	}
	last := shanghaiDayOf(start).addDays(days)
	for i := 0; i < maxRestDayRun && cal.IsRestDay(last.startUTC()); i++ {
		last = last.addDays(1)
	}
	return last.addDays(1).startUTC()
}

// CalendarDaysBetween is the Shanghai calendar date of to minus that of from, in days
// (negative when to is on an earlier date). Clock times do not matter.
func CalendarDaysBetween(from, to time.Time) int {
	return shanghaiDayOf(to).ordinal() - shanghaiDayOf(from).ordinal()
}

// NoticeLeadSatisfied reports whether a notice given at noticeAt precedes an opening at
// opensAt by at least noticeDays days (REG 14): the Shanghai date of opensAt must be at
// least noticeDays after the date of noticeAt. Notice on 1 March allows opening on
// 16 March for 15 days, not on 15 March.
func NoticeLeadSatisfied(noticeAt, opensAt time.Time, noticeDays int) bool {
	return CalendarDaysBetween(noticeAt, opensAt) >= noticeDays
}

// ErrVotingPeriod reports a voting period outside the profile's bounds.
var ErrVotingPeriod = errors.New("投票期限不符合规定")

// VotingPeriodAllowed checks a voting period against the profile (HZ 20: 5 to 60 days).
// The length is the elapsed time in whole days of 24 hours (Asia/Shanghai has no daylight
// saving, so these are calendar days): a period shorter than one day counts as 0 days and
// is rejected when the minimum is 1; a period longer than the maximum by any amount of
// time is rejected. Errors are app errors (a catalogue message) wrapping ErrVotingPeriod with the bound in Chinese.
func VotingPeriodAllowed(opensAt, closesAt time.Time, p JurisdictionProfile) error {
	if !closesAt.After(opensAt) {
		return &app.Error{Code: app.EInvalid, Msg: app.M("err.rules.closes_after_opens"),
			Err: fmt.Errorf("%w：截止时间必须晚于开始时间", ErrVotingPeriod)}
	}
	const day = 24 * time.Hour
	length := closesAt.Sub(opensAt)
	wholeDays := int(length / day)
	if length < time.Duration(p.VotingPeriodMinDays)*day {
		return &app.Error{Code: app.EInvalid, Msg: app.M("err.rules.voting_period_too_short", wholeDays, p.VotingPeriodMinDays, p.Name, p.NameEN),
			Err: fmt.Errorf("%w：投票期限 %d 日，少于最短期限 %d 日（%s）", ErrVotingPeriod, wholeDays, p.VotingPeriodMinDays, p.Name)}
	}
	if p.VotingPeriodMaxDays > 0 && length > time.Duration(p.VotingPeriodMaxDays)*day {
		return &app.Error{Code: app.EInvalid, Msg: app.M("err.rules.voting_period_too_long", p.VotingPeriodMaxDays, p.Name, p.NameEN),
			Err: fmt.Errorf("%w：投票期限超过最长期限 %d 日（%s）", ErrVotingPeriod, p.VotingPeriodMaxDays, p.Name)}
	}
	return nil
}

// AddMonths moves t by months on the Shanghai calendar, keeping the clock time; a day that
// does not exist in the target month is clamped to that month's last day (CC 202), so
// 31 January plus one month is 28 or 29 February. The result is in UTC.
func AddMonths(t time.Time, months int) time.Time {
	local := t.In(Shanghai())
	y, m, d := local.Date()
	firstOfTarget := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	ty, tm, _ := firstOfTarget.Date()
	lastDay := time.Date(ty, tm+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d > lastDay {
		d = lastDay
	}
	hh, mm, ss := local.Clock()
	return time.Date(ty, tm, d, hh, mm, ss, local.Nanosecond(), Shanghai()).UTC()
}

// TermEnd is the end of a term of years years that starts at start (CC 201-202): the last
// day is the corresponding date years later (clamped to month end, so 29 February maps
// to 28 February), and the term ends at 24:00 of that day, returned as 00:00
// Asia/Shanghai of the following date in UTC. A term is not extended over rest days.
func TermEnd(start time.Time, years int) time.Time {
	return shanghaiDayOf(AddMonths(start, 12*years)).addDays(1).startUTC()
}

// ReelectionStart is when re-election must begin: the profile's ReelectionLeadMonths
// before termEnd (BJ 6 months, SH 5, GR 3), clamped to month end like AddMonths.
func ReelectionStart(termEnd time.Time, p JurisdictionProfile) time.Time {
	return AddMonths(termEnd, -p.ReelectionLeadMonths)
}
