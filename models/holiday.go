package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kinds of holiday calendar days.
const (
	HolidayRest    = "rest"    // a span of statutory rest days (放假调休)
	HolidayWorkday = "workday" // a weekend day worked in exchange (调休上班)
)

// HolidayCalendar is one year's State Council holiday notice as loaded by the
// platform administrator; its days are in holiday_calendar_days.
type HolidayCalendar struct {
	Year         int `gorm:"primaryKey;autoIncrement:false"`
	Basis        string
	LoadedBy     *int64
	LoadedByName string
	LoadedAt     time.Time
}

// TableName is holiday_calendars.
func (HolidayCalendar) TableName() string { return "holiday_calendars" }

// HolidayCalendarDay is a rest span (DateFrom to DateTo, inclusive) or a make-up
// workday (DateFrom = DateTo) of a loaded year; dates are "2006-01-02".
type HolidayCalendarDay struct {
	ID       int64 `gorm:"primaryKey"`
	Year     int
	Kind     string
	DateFrom string
	DateTo   string
}

// TableName is holiday_calendar_days.
func (HolidayCalendarDay) TableName() string { return "holiday_calendar_days" }

// HolidayCalendars reads every loaded year with its days (in date order), by year.
func HolidayCalendars(ctx context.Context, db *gorm.DB) ([]HolidayCalendar, map[int][]HolidayCalendarDay, error) {
	var cals []HolidayCalendar
	if err := db.WithContext(ctx).Order("year").Find(&cals).Error; err != nil {
		return nil, nil, fmt.Errorf("reading holiday calendars: %w", err)
	}
	var days []HolidayCalendarDay
	if err := db.WithContext(ctx).Order("year, date_from, id").Find(&days).Error; err != nil {
		return nil, nil, fmt.Errorf("reading holiday calendar days: %w", err)
	}
	byYear := map[int][]HolidayCalendarDay{}
	for _, d := range days {
		byYear[d.Year] = append(byYear[d.Year], d)
	}
	return cals, byYear, nil
}

// ReplaceHolidayCalendar stores a year's notice in place of the one loaded before.
func ReplaceHolidayCalendar(ctx context.Context, tx *gorm.DB, cal HolidayCalendar, days []HolidayCalendarDay) error {
	tx = tx.WithContext(ctx)
	if err := tx.Where("year = ?", cal.Year).Delete(&HolidayCalendarDay{}).Error; err != nil {
		return fmt.Errorf("clearing holiday days of %d: %w", cal.Year, err)
	}
	if err := tx.Where("year = ?", cal.Year).Delete(&HolidayCalendar{}).Error; err != nil {
		return fmt.Errorf("clearing holiday calendar %d: %w", cal.Year, err)
	}
	if err := tx.Create(&cal).Error; err != nil {
		return fmt.Errorf("storing holiday calendar %d: %w", cal.Year, err)
	}
	if len(days) > 0 {
		if err := tx.Create(&days).Error; err != nil {
			return fmt.Errorf("storing holiday days of %d: %w", cal.Year, err)
		}
	}
	return nil
}
