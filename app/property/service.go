// Package property is the street office's and the committee's dealings with the
// estate's property service company (issue 13, first half; docs/property.md):
// companies registered by their unified social credit code, service contracts per
// estate and the project manager's registration, the complaints register on the
// 三三三 clock (seed 004 §(十三)) with escalation of missed stages to the street
// office, rectification orders, warning talks and public notices in the company's
// credit file, owner satisfaction surveys, and the exit check of seed 004 §(八),
// re-evaluated whenever a complaint, an order or a survey changes, which raises an
// exit case the first time it holds. The rules themselves are pure, in app/rules.
package property

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/calendar"
	"gongzhi/app/orgs"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Service is the property supervision service.
type Service struct {
	db    *gorm.DB
	orgs  *orgs.Service
	pii   *pii.Protector
	clock app.Clock
	cal   calendar.Source
	log   *slog.Logger
	votes VoteRecords // surveys run as ballots (SetVotes); nil: paper only
}

// New builds the service. cal gives the working calendar of the 3-day period (nil:
// the notices shipped in app/rules); log, when nil, discards.
func New(db *gorm.DB, o *orgs.Service, protector *pii.Protector, clock app.Clock, cal calendar.Source, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, orgs: o, pii: protector, clock: app.ClockOrSystem(clock), cal: cal, log: log}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// parseInstant reads an RFC 3339 instant of the named field, not later than now
// (plus a minute's grace for clocks apart).
func (s *Service) parseInstant(field, v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, app.Invalid(field, app.M("err.property.required"))
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, app.Invalid(field, app.M("err.property.rfc_3339_expected"))
	}
	if t.After(now.Add(time.Minute)) {
		return time.Time{}, app.Invalid(field, app.M("err.property.must_not_be_in_the_future"))
	}
	return t.UTC(), nil
}

// parseDay reads a "YYYY-MM-DD" date of the named field.
func parseDay(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if _, err := time.Parse(time.DateOnly, v); err != nil || len(v) != 10 {
		return "", app.Invalid(field, app.M("err.property.date_yyyy_mm_dd_expected"))
	}
	return v, nil
}

// parseDeadline reads a deadline: a date (24:00 Shanghai of that day) or an instant.
func parseDeadline(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if len(v) == 10 {
		if _, err := parseDay(field, v); err != nil {
			return time.Time{}, err
		}
		return rules.EndOfShanghaiDate(v)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, app.Invalid(field, app.M("err.property.date_or_rfc_3339_instant_expected"))
	}
	return t.UTC(), nil
}

// companyOn is the company serving the estate on day (the contract covering it).
func companyOn(ctx context.Context, db *gorm.DB, estateID int64, day string) (int64, bool, error) {
	var list []models.ServiceContract
	if err := db.WithContext(ctx).Where("estate_id = ? AND starts_on <= ? AND ends_on >= ?", estateID, day, day).
		Order("starts_on").Find(&list).Error; err != nil {
		return 0, false, fmt.Errorf("contracts of estate %d: %w", estateID, err)
	}
	for _, c := range list {
		if c.Covers(day) {
			return c.CompanyID, true, nil
		}
	}
	return 0, false, nil
}

// CompanyOn is the company serving the estate on day ("YYYY-MM-DD"), from its
// contracts; false when no contract covers the day.
func (s *Service) CompanyOn(ctx context.Context, p app.Principal, estateID int64, day string) (int64, bool, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return 0, false, err
	}
	if _, err := parseDay("on", day); err != nil {
		return 0, false, err
	}
	id, ok, err := companyOn(ctx, s.db, estateID, day)
	if err != nil {
		return 0, false, app.Internal(err)
	}
	return id, ok, nil
}

// profileOf is the jurisdiction profile of the estate.
func profileOf(e models.EstateWithPath) rules.JurisdictionProfile {
	return rules.ProfileOrDefault(e.ProfileCode)
}

// visibleEstates lists the ids of the estates p may see.
func (s *Service) visibleEstates(ctx context.Context, p app.Principal) ([]int64, map[int64]models.EstateWithPath, error) {
	list, err := s.orgs.ListEstates(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, 0, len(list))
	by := make(map[int64]models.EstateWithPath, len(list))
	for _, e := range list {
		ids = append(ids, e.ID)
		by[e.ID] = e
	}
	return ids, by, nil
}

// notFound is the answer for a record outside the caller's jurisdiction too.
func notFound(what string) error { return app.Fail(app.ENotFound, "err.property.not_found", what) }

func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

func ptr[T any](v T) *T { return &v }

func shanghai() *time.Location { return rules.Shanghai() }

// Now is the service clock's current instant (the pages prefill forms with it).
func (s *Service) Now() time.Time { return s.now() }
