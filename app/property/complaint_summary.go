package property

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gongzhi/app/calendar"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// The per-estate complaint summary (migration 00035, issue 15): per estate and
// Shanghai year of receipt, the complaints received and the 三三三 stages already
// decided by a recorded instant (responded / resolved, met or late). Those outcomes
// never change with time, so the summary is kept in step by adding each change's
// difference in the transaction of the change (insertComplaint, AddEvent). Stages
// not yet recorded depend on the clock (pending, then missed): the supervision rates
// read those few complaints live (app/supervision complaintFacts).

// SummaryDelta is one complaint's share of its estate-year row.
type SummaryDelta struct {
	Received, ResponseMet, ResponseLate, ResolveMet, ResolveLate int64
}

func (d SummaryDelta) minus(o SummaryDelta) SummaryDelta {
	return SummaryDelta{d.Received - o.Received, d.ResponseMet - o.ResponseMet, d.ResponseLate - o.ResponseLate,
		d.ResolveMet - o.ResolveMet, d.ResolveLate - o.ResolveLate}
}

func (d SummaryDelta) zero() bool { return d == SummaryDelta{} }

// SummaryYear is the Shanghai year a complaint received at t counts in.
func SummaryYear(t time.Time) int { return t.In(rules.Shanghai()).Year() }

// SummaryShare is the complaint's share of the summary: its current cycle's recorded
// stages on the estate profile's 三三三 clock.
func SummaryShare(c models.Complaint, prof rules.JurisdictionProfile, cal rules.Calendar) SummaryDelta {
	r := rules.ComplaintSLA(rules.SLAInput{ReceivedAt: c.CycleStartedAt.UTC(), RespondedAt: utc(c.RespondedAt), ResolvedAt: utc(c.ResolvedAt),
		ResponseMinutes: prof.ComplaintResponseMinutes, FirstResultHours: prof.ComplaintFirstResultHours, ResolveDays: prof.ComplaintResolveDays,
		Calendar: cal})
	d := SummaryDelta{Received: 1}
	switch r.Response.State {
	case rules.StageMet:
		d.ResponseMet = 1
	case rules.StageLate:
		d.ResponseLate = 1
	}
	switch r.Resolve.State {
	case rules.StageMet:
		d.ResolveMet = 1
	case rules.StageLate:
		d.ResolveLate = 1
	}
	return d
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// addToSummary adds d to the estate-year row in tx (an upsert of increments, safe
// under concurrent writers of the same estate).
func addToSummary(ctx context.Context, tx *gorm.DB, estateID int64, year int, d SummaryDelta) error {
	if d.zero() {
		return nil
	}
	row := models.ComplaintSummary{EstateID: estateID, Year: year, Received: d.Received, ResponseMet: d.ResponseMet,
		ResponseLate: d.ResponseLate, ResolveMet: d.ResolveMet, ResolveLate: d.ResolveLate}
	inc := func(col string, v int64) clause.Assignment {
		return clause.Assignment{Column: clause.Column{Name: col}, Value: gorm.Expr(col+" + ?", v)}
	}
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "estate_id"}, {Name: "year"}},
		DoUpdates: clause.Set{inc("received", d.Received), inc("response_met", d.ResponseMet), inc("response_late", d.ResponseLate),
			inc("resolve_met", d.ResolveMet), inc("resolve_late", d.ResolveLate)}}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("complaint summary: %w", err)
	}
	return nil
}

// summaryChange keeps the summary in step with a change of one complaint from before
// (nil: a new complaint) to after, in tx.
func summaryChange(ctx context.Context, tx *gorm.DB, before *models.Complaint, after models.Complaint, prof rules.JurisdictionProfile, cal rules.Calendar) error {
	d := SummaryShare(after, prof, cal)
	if before != nil {
		if SummaryYear(before.ReceivedAt) != SummaryYear(after.ReceivedAt) || before.EstateID != after.EstateID {
			return errors.New("complaint summary: a complaint never moves between estates or years")
		}
		d = d.minus(SummaryShare(*before, prof, cal))
	}
	return addToSummary(ctx, tx, after.EstateID, SummaryYear(after.ReceivedAt), d)
}

// estateProfile is the jurisdiction profile of an estate, read in tx.
func estateProfile(ctx context.Context, tx *gorm.DB, estateID int64) (rules.JurisdictionProfile, error) {
	var code string
	if err := tx.WithContext(ctx).Table("estates").Where("id = ?", estateID).Pluck("profile_code", &code).Error; err != nil {
		return rules.JurisdictionProfile{}, fmt.Errorf("estate profile: %w", err)
	}
	return rules.ProfileOrDefault(code), nil
}

// ComplaintSummaryBuilt tells whether the summary is complete (false after migration
// 00035 ran on a database that already had complaints, until BuildComplaintSummary).
func ComplaintSummaryBuilt(ctx context.Context, db *gorm.DB) (bool, error) {
	var built []bool
	if err := db.WithContext(ctx).Table("complaint_summary_state").Where("id = 1").Pluck("built", &built).Error; err != nil {
		return false, fmt.Errorf("complaint summary state: %w", err)
	}
	return len(built) == 1 && built[0], nil
}

// BuildComplaintSummary recomputes the whole summary from the complaints in one
// transaction and marks it built: the backfill of migration 00035 (run at start-up
// by main and by cmd/gencity; it needs the profiles and the working calendar, which
// SQL has not), before the server takes requests. Rerunnable; the rates read the
// complaints live until it has run.
func BuildComplaintSummary(ctx context.Context, db *gorm.DB, src calendar.Source) (int, error) {
	cal, err := calendar.Working(ctx, src, db)
	if err != nil {
		return 0, err
	}
	var estates []struct {
		ID          int64
		ProfileCode string
	}
	if err := db.WithContext(ctx).Table("estates").Select("id, profile_code").Scan(&estates).Error; err != nil {
		return 0, fmt.Errorf("complaint summary: estates: %w", err)
	}
	profiles := make(map[int64]rules.JurisdictionProfile, len(estates))
	for _, e := range estates {
		profiles[e.ID] = rules.ProfileOrDefault(e.ProfileCode)
	}
	type key struct {
		estate int64
		year   int
	}
	sums := map[key]SummaryDelta{}
	var order []key
	rows, err := db.WithContext(ctx).Table("complaints").Select("estate_id, received_at, cycle_started_at, responded_at, resolved_at").Rows()
	if err != nil {
		return 0, fmt.Errorf("complaint summary: complaints: %w", err)
	}
	n := 0
	for rows.Next() {
		var c models.Complaint
		if err := rows.Scan(&c.EstateID, &c.ReceivedAt, &c.CycleStartedAt, &c.RespondedAt, &c.ResolvedAt); err != nil {
			rows.Close()
			return 0, fmt.Errorf("complaint summary: complaints: %w", err)
		}
		k := key{c.EstateID, SummaryYear(c.ReceivedAt)}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		d := SummaryShare(c, profiles[c.EstateID], cal)
		s := sums[k]
		sums[k] = SummaryDelta{s.Received + d.Received, s.ResponseMet + d.ResponseMet, s.ResponseLate + d.ResponseLate,
			s.ResolveMet + d.ResolveMet, s.ResolveLate + d.ResolveLate}
		n++
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return 0, fmt.Errorf("complaint summary: complaints: %w", err)
	}
	rows.Close()
	list := make([]models.ComplaintSummary, 0, len(order))
	for _, k := range order {
		s := sums[k]
		list = append(list, models.ComplaintSummary{EstateID: k.estate, Year: k.year, Received: s.Received, ResponseMet: s.ResponseMet,
			ResponseLate: s.ResponseLate, ResolveMet: s.ResolveMet, ResolveLate: s.ResolveLate})
	}
	err = database.Tx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM complaint_summaries").Error; err != nil {
			return err
		}
		if len(list) > 0 {
			if err := tx.CreateInBatches(list, 2000).Error; err != nil {
				return err
			}
		}
		return tx.Exec("UPDATE complaint_summary_state SET built = ? WHERE id = 1", true).Error
	})
	if err != nil {
		return 0, fmt.Errorf("complaint summary: %w", err)
	}
	return n, nil
}
