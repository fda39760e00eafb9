package calendar_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/calendar"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/rules"
	"gongzhi/models"
)

var admin = app.Principal{Username: "admin", Role: app.RoleAdmin}

// testInput2027 is a made-up notice for a test year (the real 2027 notice is not in
// the sources): New Year's Day and a Spring Festival from Friday 5 to Thursday 11
// February, with Saturday 20 February worked.
func testInput2027() calendar.Input {
	return calendar.Input{Basis: "测试用通知（虚构）",
		RestDays:       []rules.HolidaySpan{{From: "2027-01-01", To: "2027-01-01"}, {From: "2027-02-05", To: "2027-02-11"}},
		MakeUpWorkdays: []string{"2027-02-20"}}
}

func at(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 10, 0, 0, 0, rules.Shanghai())
}

func TestComingYearWarningAndLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		clock := app.NewManualClock(at(2026, 11, 30))
		s := calendar.New(db.DB, clock)
		if y, err := s.Uncovered(ctx); err != nil || y != 0 {
			t.Fatalf("30 November 2026: uncovered %d, %v; want none before December", y, err)
		}
		clock.Set(at(2026, 12, 5))
		if y, err := s.Uncovered(ctx); err != nil || y != 2027 {
			t.Fatalf("5 December 2026: uncovered %d, %v; want 2027", y, err)
		}
		// Every staff role that runs votes or keeps records (their deadlines are refused)
		// or supervises them is warned; the auditor, who changes nothing, is not.
		for role, want := range map[app.Role]int{app.RoleAdmin: 2027, app.RoleDistrict: 2027, app.RoleStreet: 2027,
			app.RoleCommunity: 2027, app.RoleCommittee: 2027, app.RoleAuditor: 0} {
			if y, err := s.Warning(ctx, app.Principal{Role: role}); err != nil || y != want {
				t.Errorf("warning for %s: %d, %v; want %d", role, y, err, want)
			}
		}
		cal, err := s.Calendar(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rules.CoveredPeriodEnd(time.Date(2027, 1, 29, 10, 0, 0, 0, rules.Shanghai()), 7, cal); err == nil {
			t.Fatal("a deadline in 2027 computed without 2027's notice")
		}

		if _, err := s.Load(ctx, app.Principal{Username: "street", Role: app.RoleStreet, UserID: 1}, 2027, testInput2027()); app.ErrorCode(err) != app.EForbidden {
			t.Errorf("street office loads a notice: %v, want forbidden", err)
		}
		n, err := s.Load(ctx, admin, 2027, testInput2027())
		if err != nil {
			t.Fatal(err)
		}
		if n.Year != 2027 || n.LoadedByName != "admin" || n.LoadedAt == nil {
			t.Errorf("loaded: %+v", n)
		}
		if y, err := s.Uncovered(ctx); err != nil || y != 0 {
			t.Errorf("after loading 2027: uncovered %d, %v", y, err)
		}
		if cal, err = s.Calendar(ctx, nil); err != nil {
			t.Fatal(err)
		}
		// Friday 29 January + 7 days is Friday 5 February, the first day of the (test)
		// Spring Festival: the period ends at 24:00 of Friday 12 February.
		end, err := rules.CoveredPeriodEnd(time.Date(2027, 1, 29, 10, 0, 0, 0, rules.Shanghai()), 7, cal)
		if want := time.Date(2027, 2, 13, 0, 0, 0, 0, rules.Shanghai()); err != nil || !end.Equal(want) {
			t.Errorf("deadline over the Spring Festival: %v, %v; want %v", end, err, want)
		}
		list, err := s.List(ctx, admin)
		if err != nil || len(list) != 3 || !list[0].BuiltIn || list[2].Year != 2027 || list[2].BuiltIn || len(list[2].RestDays) != 2 {
			t.Fatalf("list: %+v, %v", list, err)
		}
		var audits int64
		db.Model(&models.AuditLog{}).Where("action = ?", "holiday_calendar.load").Count(&audits)
		if audits != 1 {
			t.Errorf("audit entries: %d", audits)
		}
		// Loading the year again replaces it.
		again := testInput2027()
		again.RestDays = again.RestDays[1:]
		if _, err := s.Load(ctx, admin, 2027, again); err != nil {
			t.Fatal(err)
		}
		if list, _ = s.List(ctx, admin); len(list[2].RestDays) != 1 {
			t.Errorf("reloaded 2027: %+v", list[2])
		}
	})
}

// The worker's check logs the missing year once per day (Asia/Shanghai) from 1
// December, whenever the server was started, and stops once the year is loaded.
func TestDailyWarningFromDecember(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		clock := new(app.ManualClock)
		s := calendar.New(db.DB, clock)
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		check := func(when time.Time, want string) {
			t.Helper()
			logs.Reset()
			clock.Set(when)
			s.WarnUncovered(ctx, log)
			switch got := logs.String(); {
			case want == "" && got != "":
				t.Errorf("%v: logged %q, want nothing", when, got)
			case want != "" && (!strings.Contains(got, "level=WARN") || !strings.Contains(got, want) || strings.Count(got, "\n") != 1):
				t.Errorf("%v: logged %q, want one WARN with %s", when, got, want)
			}
		}
		sh := rules.Shanghai()
		// Started in November: nothing to say yet.
		check(time.Date(2026, 11, 20, 9, 0, 0, 0, sh), "")
		check(time.Date(2026, 11, 30, 23, 59, 0, 0, sh), "")
		// 1 December (00:30 in Shanghai is still 30 November in UTC): warned once that day.
		check(time.Date(2026, 12, 1, 0, 30, 0, 0, sh), "year=2027")
		check(time.Date(2026, 12, 1, 1, 30, 0, 0, sh), "")
		check(time.Date(2026, 12, 1, 23, 30, 0, 0, sh), "")
		// And again each following day while 2027 is missing.
		check(time.Date(2026, 12, 2, 0, 30, 0, 0, sh), "year=2027")
		check(time.Date(2026, 12, 2, 12, 0, 0, 0, sh), "")
		if _, err := s.Load(ctx, admin, 2027, testInput2027()); err != nil {
			t.Fatal(err)
		}
		check(time.Date(2026, 12, 3, 0, 30, 0, 0, sh), "")
		check(time.Date(2026, 12, 31, 12, 0, 0, 0, sh), "")
	})
}

func TestLoadRefusesBadNotices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		s := calendar.New(db.DB, nil)
		mod := func(f func(in *calendar.Input)) calendar.Input { in := testInput2027(); f(&in); return in }
		cases := []struct {
			name  string
			year  int
			in    calendar.Input
			field string
		}{
			{"no basis", 2027, mod(func(in *calendar.Input) { in.Basis = " " }), "basis"},
			{"no rest days", 2027, mod(func(in *calendar.Input) { in.RestDays = nil }), "rest_days"},
			{"year out of range", 1999, testInput2027(), "year"},
			{"date not in the year", 2027, mod(func(in *calendar.Input) { in.RestDays[0] = rules.HolidaySpan{From: "2026-12-31", To: "2027-01-01"} }), "rest_days[0]"},
			{"malformed date", 2027, mod(func(in *calendar.Input) { in.RestDays[1].To = "2027-2-11" }), "rest_days[1]"},
			{"span backwards", 2027, mod(func(in *calendar.Input) { in.RestDays[1] = rules.HolidaySpan{From: "2027-02-11", To: "2027-02-05"} }), "rest_days[1]"},
			{"overlapping spans", 2027, mod(func(in *calendar.Input) {
				in.RestDays = append(in.RestDays, rules.HolidaySpan{From: "2027-02-10", To: "2027-02-12"})
			}), "rest_days"},
			{"make-up day on a weekday", 2027, mod(func(in *calendar.Input) { in.MakeUpWorkdays = []string{"2027-02-19"} }), "make_up_workdays[0]"},
			{"make-up day in another year", 2027, mod(func(in *calendar.Input) { in.MakeUpWorkdays = []string{"2026-02-21"} }), "make_up_workdays[0]"},
			{"make-up day inside the holiday", 2027, mod(func(in *calendar.Input) { in.MakeUpWorkdays = []string{"2027-02-06"} }), "rest_days"},
		}
		for _, c := range cases {
			_, err := s.Load(ctx, admin, c.year, c.in)
			var ae *app.Error
			if !errorsAs(err, &ae) || ae.Code != app.EInvalid || len(ae.Details) == 0 || ae.Details[0].Field != c.field {
				t.Errorf("%s: %v, want invalid naming %s", c.name, err, c.field)
			}
		}
		var n int64
		db.Model(&models.HolidayCalendar{}).Count(&n)
		if n != 0 {
			t.Errorf("%d notices stored by refused loads", n)
		}
	})
}

func TestParseText(t *testing.T) {
	in, err := calendar.ParseText("通知", "2027-01-01\r\n2027-02-05 至 2027-02-11\n\n2027-04-03 ~ 2027-04-05\n2027-05-01 to 2027-05-05", "2027-02-20，2027-04-25 2027-05-08\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.RestDays) != 4 || in.RestDays[0] != (rules.HolidaySpan{From: "2027-01-01", To: "2027-01-01"}) ||
		in.RestDays[1] != (rules.HolidaySpan{From: "2027-02-05", To: "2027-02-11"}) || in.RestDays[3].To != "2027-05-05" {
		t.Errorf("rest days: %+v", in.RestDays)
	}
	if len(in.MakeUpWorkdays) != 3 || in.MakeUpWorkdays[2] != "2027-05-08" {
		t.Errorf("make-up days: %q", in.MakeUpWorkdays)
	}
	if _, err := calendar.ParseText("通知", "2027-02-05 至 2027-02-11 至 2027-02-12", ""); app.ErrorCode(err) != app.EInvalid {
		t.Errorf("three dates on a line: %v", err)
	}
	rest, mk := calendar.Text(rules.HolidayNotice{RestDays: in.RestDays, MakeUpWorkdays: in.MakeUpWorkdays})
	back, err := calendar.ParseText("通知", rest, mk)
	if err != nil || len(back.RestDays) != 4 || len(back.MakeUpWorkdays) != 3 {
		t.Errorf("Text does not read back: %+v, %v", back, err)
	}
}

func errorsAs(err error, target **app.Error) bool { return errors.As(err, target) }
