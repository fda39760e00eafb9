// Package calendar keeps the PRC working calendar as data: the State Council holiday
// notices shipped in app/rules (2025 and 2026) plus the years the platform
// administrator loads (holiday_calendars, migration 00012), a loaded year replacing a
// shipped one of the same year. Services that count periods over rest days (the voting
// results' deadlines, the documents' showing periods) get their rules.StatutoryCalendar
// from here, so a new year's notice takes effect without a release. From 1 December the
// platform warns when the coming year is not loaded (docs/calendar.md).
package calendar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Years a notice may be loaded for.
const (
	MinYear = 2000
	MaxYear = 2100
)

// maxItems bounds the spans and make-up days of one notice (real ones have about 7 and 6).
const maxItems = 40

// maxBasisRunes bounds the notice's title.
const maxBasisRunes = 200

// Service reads and loads holiday notices.
type Service struct {
	db    *gorm.DB
	clock app.Clock

	warnMu   sync.Mutex
	warnedOn string // the day (Asia/Shanghai, 2006-01-02) WarnUncovered last logged
}

// New builds the service over db; clock (nil: the system clock) tells which year's
// notice is due (tests move it instead of waiting for December).
func New(db *gorm.DB, clock app.Clock) *Service {
	return &Service{db: db, clock: app.ClockOrSystem(clock)}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// Notice is one year's notice as the platform holds it.
type Notice struct {
	rules.HolidayNotice
	BuiltIn      bool       // shipped with the release and not replaced
	LoadedByName string     // who loaded it (loaded years)
	LoadedAt     *time.Time // when (loaded years)
}

// notices reads the shipped notices merged with the loaded ones, by year, through db
// (the caller's transaction or the service's pool).
func notices(ctx context.Context, db *gorm.DB) ([]Notice, error) {
	cals, days, err := models.HolidayCalendars(ctx, db)
	if err != nil {
		return nil, err
	}
	byYear := map[int]Notice{}
	for _, n := range rules.OfficialHolidayNotices() {
		byYear[n.Year] = Notice{HolidayNotice: n, BuiltIn: true}
	}
	for _, c := range cals {
		n := Notice{HolidayNotice: rules.HolidayNotice{Year: c.Year, Basis: c.Basis}, LoadedByName: c.LoadedByName}
		at := c.LoadedAt.UTC()
		n.LoadedAt = &at
		for _, d := range days[c.Year] {
			if d.Kind == models.HolidayWorkday {
				n.MakeUpWorkdays = append(n.MakeUpWorkdays, d.DateFrom)
			} else {
				n.RestDays = append(n.RestDays, rules.HolidaySpan{From: d.DateFrom, To: d.DateTo})
			}
		}
		byYear[c.Year] = n
	}
	out := make([]Notice, 0, len(byYear))
	for _, n := range byYear {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Notice) int { return a.Year - b.Year })
	return out, nil
}

// Calendar builds the working calendar from the shipped and the loaded notices, read
// through db: pass the use case's transaction when there is one (SQLite's pool may
// have a single connection), or nil for the service's own pool.
func (s *Service) Calendar(ctx context.Context, db *gorm.DB) (rules.StatutoryCalendar, error) {
	if db == nil {
		db = s.db
	}
	list, err := notices(ctx, db)
	if err != nil {
		return rules.StatutoryCalendar{}, err
	}
	ns := make([]rules.HolidayNotice, len(list))
	for i, n := range list {
		ns[i] = n.HolidayNotice
	}
	cal, err := rules.NewStatutoryCalendar(ns...)
	if err != nil {
		// Every loaded notice was validated by Load; a failure here is stored data gone bad.
		return rules.StatutoryCalendar{}, fmt.Errorf("building the holiday calendar: %w", err)
	}
	return cal, nil
}

// mayManage tells whether p may read and load holiday notices: they are platform
// data, kept by the platform administrator (app/access, ManageHolidays; the routes
// ask the same before a handler reads the body).
func mayManage(p app.Principal) error { return access.Require(p, access.ManageHolidays) }

// List returns every year the platform holds a notice for (admin only).
func (s *Service) List(ctx context.Context, p app.Principal) ([]Notice, error) {
	if err := mayManage(p); err != nil {
		return nil, err
	}
	list, err := notices(ctx, s.db)
	if err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}

// Input is a year's notice as the administrator enters it.
type Input struct {
	Basis          string              // the notice's title, e.g. 国务院办公厅关于2027年部分节假日安排的通知
	RestDays       []rules.HolidaySpan // inclusive spans "2006-01-02"
	MakeUpWorkdays []string            // weekend days worked, "2006-01-02"
}

// validate checks a notice for year item by item, naming the field of each mistake,
// then as a whole (overlaps, repeats, a make-up day inside a holiday).
func validate(year int, in *Input) error {
	var details []app.Detail
	add := func(field string, msg app.Msg) { details = append(details, app.Detail{Field: field, Msg: msg}) }
	if year < MinYear || year > MaxYear {
		add("year", app.M("err.calendar.year_range", MinYear, MaxYear))
	}
	in.Basis = strings.TrimSpace(in.Basis)
	switch n := len([]rune(in.Basis)); {
	case n == 0:
		add("basis", app.M("err.calendar.basis_required"))
	case n > maxBasisRunes:
		add("basis", app.M("err.calendar.basis_too_long", maxBasisRunes))
	}
	if len(in.RestDays) == 0 {
		add("rest_days", app.M("err.calendar.rest_days_required"))
	}
	if len(in.RestDays) > maxItems {
		add("rest_days", app.M("err.calendar.rest_days_too_many", maxItems))
	}
	if len(in.MakeUpWorkdays) > maxItems {
		add("make_up_workdays", app.M("err.calendar.workdays_too_many", maxItems))
	}
	if len(details) > 0 {
		return invalid(details)
	}
	one := func(field string, n rules.HolidayNotice) {
		if _, err := rules.NewStatutoryCalendar(n); err != nil {
			add(field, app.MsgOf(err))
		}
	}
	for i := range in.RestDays {
		in.RestDays[i].From, in.RestDays[i].To = strings.TrimSpace(in.RestDays[i].From), strings.TrimSpace(in.RestDays[i].To)
		one(fmt.Sprintf("rest_days[%d]", i), rules.HolidayNotice{Year: year, RestDays: in.RestDays[i : i+1]})
	}
	for i := range in.MakeUpWorkdays {
		in.MakeUpWorkdays[i] = strings.TrimSpace(in.MakeUpWorkdays[i])
		one(fmt.Sprintf("make_up_workdays[%d]", i), rules.HolidayNotice{Year: year, MakeUpWorkdays: in.MakeUpWorkdays[i : i+1]})
	}
	if len(details) == 0 {
		one("rest_days", rules.HolidayNotice{Year: year, RestDays: in.RestDays, MakeUpWorkdays: in.MakeUpWorkdays})
	}
	if len(details) > 0 {
		return invalid(details)
	}
	return nil
}

func invalid(details []app.Detail) *app.Error {
	return &app.Error{Code: app.EInvalid, Msg: app.M("err.calendar.invalid_holiday_notice", details[0].Msg), Details: details}
}

// Load stores the State Council notice of one year, replacing what the platform held
// for that year (a shipped notice included), audited (admin only). Nothing is stored
// unless the whole notice is valid.
func (s *Service) Load(ctx context.Context, p app.Principal, year int, in Input) (Notice, error) {
	if err := mayManage(p); err != nil {
		return Notice{}, err
	}
	if err := validate(year, &in); err != nil {
		return Notice{}, err
	}
	now := s.now().Truncate(time.Microsecond)
	row := models.HolidayCalendar{Year: year, Basis: in.Basis, LoadedByName: p.Username, LoadedAt: now}
	if p.UserID != 0 {
		id := p.UserID
		row.LoadedBy = &id
	}
	var days []models.HolidayCalendarDay
	for _, sp := range in.RestDays {
		days = append(days, models.HolidayCalendarDay{Year: year, Kind: models.HolidayRest, DateFrom: sp.From, DateTo: sp.To})
	}
	for _, d := range in.MakeUpWorkdays {
		days = append(days, models.HolidayCalendarDay{Year: year, Kind: models.HolidayWorkday, DateFrom: d, DateTo: d})
	}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := models.ReplaceHolidayCalendar(ctx, tx, row, days); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "holiday_calendar.load", TargetType: "holiday_calendar", TargetID: int64(year),
			Detail: map[string]any{"year": year, "basis": in.Basis, "rest_days": in.RestDays, "make_up_workdays": in.MakeUpWorkdays}})
	})
	if err != nil {
		return Notice{}, app.Internal(err)
	}
	return Notice{HolidayNotice: rules.HolidayNotice{Year: year, Basis: in.Basis, RestDays: in.RestDays, MakeUpWorkdays: in.MakeUpWorkdays},
		LoadedByName: p.Username, LoadedAt: &now}, nil
}

// Uncovered returns the year the platform should have a notice for and has not: the
// current year (Asia/Shanghai), or from 1 December the coming one; 0 when covered.
func (s *Service) Uncovered(ctx context.Context) (int, error) {
	cal, err := s.Calendar(ctx, nil)
	if err != nil {
		return 0, err
	}
	y, m, _ := s.now().In(rules.Shanghai()).Date()
	if !cal.Covers(y) {
		return y, nil
	}
	if m == time.December && !cal.Covers(y+1) {
		return y + 1, nil
	}
	return 0, nil
}

// Warning is the uncovered year to warn the principal about (0: none): every staff
// role that runs votes or keeps records (app/access: RunVote, KeepRecords), whose
// deadlines would be refused, and the platform administrator and district and street
// staff, who load the year or chase it. Auditors change nothing and are not warned.
func (s *Service) Warning(ctx context.Context, p app.Principal) (int, error) {
	switch {
	case p.Role == app.RoleAdmin, p.Role == app.RoleDistrict, p.Role == app.RoleStreet:
	case access.CanAny(p, access.RunVote, access.KeepRecords):
	default:
		return 0, nil
	}
	y, err := s.Uncovered(ctx)
	if err != nil {
		return 0, app.Internal(err)
	}
	return y, nil
}

// WarnUncovered logs a warning when Uncovered finds a year without a notice, at most
// once per day (Asia/Shanghai, by the service's clock) however often it is called.
func (s *Service) WarnUncovered(ctx context.Context, log *slog.Logger) {
	y, err := s.Uncovered(ctx)
	switch {
	case err != nil:
		log.Warn("holiday calendar: cannot read the loaded notices", "error", err)
		return
	case y == 0:
		return
	}
	today := s.now().In(rules.Shanghai()).Format(time.DateOnly)
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	if s.warnedOn == today {
		return
	}
	s.warnedOn = today
	log.Warn("holiday calendar: no State Council holiday notice loaded for the year; periods ending in it are refused until the platform administrator loads it (docs/calendar.md)", "year", y)
}

// RunWarner calls WarnUncovered at once and then every interval until ctx ends, so a
// server started in November warns from 1 December, once a day, until the coming
// year is loaded (main.go runs it with the other background jobs).
func (s *Service) RunWarner(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.WarnUncovered(ctx, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// IsNotCovered reports whether err is a date computation refused for want of a year's notice.
func IsNotCovered(err error) bool {
	var nc *rules.YearNotCoveredError
	return errors.As(err, &nc)
}

// Source gives the working calendar read through a database handle (nil: its own
// pool); *Service is the one the product uses. The voting and documents services
// hold one to count their deadlines.
type Source interface {
	Calendar(ctx context.Context, db *gorm.DB) (rules.StatutoryCalendar, error)
}

// Working is src's calendar read through db, or the notices shipped in app/rules when
// src is nil.
func Working(ctx context.Context, src Source, db *gorm.DB) (rules.StatutoryCalendar, error) {
	if src == nil {
		return rules.OfficialCalendar(), nil
	}
	cal, err := src.Calendar(ctx, db)
	if err != nil {
		return cal, app.Internal(err)
	}
	return cal, nil
}

// StrictPeriodEnd is the end of a period of days from start (CC 201-203) under src's
// calendar, for a date that is fixed and stored at a staff action: it is refused (409,
// naming the year) when its last day falls in a year whose holiday notice is not
// loaded, rather than fixed from weekends alone (docs/calendar.md).
func StrictPeriodEnd(ctx context.Context, src Source, db *gorm.DB, start time.Time, days int) (time.Time, error) {
	cal, err := Working(ctx, src, db)
	if err != nil {
		return time.Time{}, err
	}
	end, err := rules.CoveredPeriodEnd(start, days, cal)
	if err != nil {
		return time.Time{}, app.Errorf(app.EConflict, "%s", err.Error())
	}
	return end, nil
}
