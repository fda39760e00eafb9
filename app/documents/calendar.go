package documents

import (
	"context"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/calendar"
	"gongzhi/app/rules"
)

// SetCalendars makes the service count showing periods and deadlines over the loaded
// holiday notices; without it only the notices shipped in app/rules count.
func (s *Service) SetCalendars(c calendar.Source) { s.calendars = c }

// workingCalendar is the calendar read through db (nil: the calendar's own pool).
func (s *Service) workingCalendar(ctx context.Context, db *gorm.DB) (rules.StatutoryCalendar, error) {
	return calendar.Working(ctx, s.calendars, db)
}

// strictPeriodEnd is the end of a period fixed and stored at a staff action, refused
// in a year whose holiday notice is not loaded (calendar.StrictPeriodEnd).
func (s *Service) strictPeriodEnd(ctx context.Context, db *gorm.DB, start time.Time, days int) (time.Time, error) {
	return calendar.StrictPeriodEnd(ctx, s.calendars, db, start, days)
}

// strictShowUntil is showUntil for an announcement published now by staff, stored:
// refused like strictPeriodEnd.
func (s *Service) strictShowUntil(ctx context.Context, db *gorm.DB, from time.Time, p rules.JurisdictionProfile) (time.Time, error) {
	end, err := s.strictPeriodEnd(ctx, db, from, showDays(p))
	return end.UTC(), err
}
