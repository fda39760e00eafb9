package voting

import (
	"context"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/calendar"
)

// SetCalendars makes the service count deadlines over the loaded holiday notices;
// without it only the notices shipped in app/rules count.
func (s *Service) SetCalendars(c calendar.Source) { s.calendars = c }

// deadline is the end of a period of days from start under the working calendar, read
// through db (nil: the calendar's own pool); refused when it falls in a year whose
// holiday notice is not loaded (calendar.StrictPeriodEnd).
func (s *Service) deadline(ctx context.Context, db *gorm.DB, start time.Time, days int) (time.Time, error) {
	return calendar.StrictPeriodEnd(ctx, s.calendars, db, start, days)
}
