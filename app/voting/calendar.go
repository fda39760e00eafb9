package voting

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

// SetCalendars makes the service count deadlines over the loaded holiday notices;
// without it only the notices shipped in app/rules count.
func (s *Service) SetCalendars(c Calendars) { s.calendars = c }

// deadline is the end of a period of days from start (CC 201-203) under the working
// calendar, read through db (nil: the service's pool). It is refused (409, naming the
// year) when its last day falls in a year whose holiday notice is not loaded, rather
// than fixed from weekends alone (docs/calendar.md).
func (s *Service) deadline(ctx context.Context, db *gorm.DB, start time.Time, days int) (time.Time, error) {
	cal := rules.OfficialCalendar()
	if s.calendars != nil {
		if db == nil {
			db = s.db
		}
		var err error
		if cal, err = s.calendars.Calendar(ctx, db); err != nil {
			return time.Time{}, app.Internal(err)
		}
	}
	end, err := rules.CoveredPeriodEnd(start, days, cal)
	if err != nil {
		return time.Time{}, app.Errorf(app.EConflict, "%s", err.Error())
	}
	return end, nil
}
