package documents

import (
	"context"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/rules"
)

// Calendars gives the working calendar, read through a database handle
// (app/calendar.Service: the shipped holiday notices and the loaded ones).
type Calendars interface {
	Calendar(ctx context.Context, db *gorm.DB) (rules.StatutoryCalendar, error)
}

// SetCalendars makes the service count showing periods and deadlines over the loaded
// holiday notices; without it only the notices shipped in app/rules count.
func (s *Service) SetCalendars(c Calendars) { s.calendars = c }

// workingCalendar is the calendar read through db (nil: the service's pool).
func (s *Service) workingCalendar(ctx context.Context, db *gorm.DB) (rules.StatutoryCalendar, error) {
	if s.calendars == nil {
		return rules.OfficialCalendar(), nil
	}
	if db == nil {
		db = s.db
	}
	cal, err := s.calendars.Calendar(ctx, db)
	if err != nil {
		return cal, app.Internal(err)
	}
	return cal, nil
}

// strictPeriodEnd is the end of a period fixed and stored at a staff action: it is
// refused (409, naming the year) when its last day falls in a year whose holiday notice
// is not loaded, rather than stored from weekends alone (docs/calendar.md).
func (s *Service) strictPeriodEnd(ctx context.Context, db *gorm.DB, start time.Time, days int) (time.Time, error) {
	cal, err := s.workingCalendar(ctx, db)
	if err != nil {
		return time.Time{}, err
	}
	end, err := rules.CoveredPeriodEnd(start, days, cal)
	if err != nil {
		return time.Time{}, app.Errorf(app.EConflict, "%s", err.Error())
	}
	return end, nil
}

// strictShowUntil is showUntil for an announcement published now by staff, stored:
// refused like strictPeriodEnd.
func (s *Service) strictShowUntil(ctx context.Context, db *gorm.DB, from time.Time, p rules.JurisdictionProfile) (time.Time, error) {
	end, err := s.strictPeriodEnd(ctx, db, from, showDays(p))
	return end.UTC(), err
}
