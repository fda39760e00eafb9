package supervision

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/calendar"
	"gongzhi/app/property"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// EstateFacts are the facts of one estate that the rates count, as of one instant.
type EstateFacts struct {
	EstateID      int64  `json:"estate_id"`
	EstateName    string `json:"estate_name"`
	CommunityID   int64  `json:"community_id"`
	CommunityName string `json:"community_name"`
	CommunityPath string `json:"community_path"`
	ProfileCode   string `json:"profile_code"`

	InOffice       bool `json:"in_office"`      // a committee formed or filed, not ended
	Transitional   bool `json:"transitional"`   // an acting transitional body and no committee in office
	PartyRecorded  bool `json:"party_recorded"` // the community recorded the Party facts
	PartyOrg       bool `json:"party_org"`
	PartyWorkGroup bool `json:"party_work_group"`
	Contract       bool `json:"contract"` // a filed service contract in force today

	SurveyRespondents int64  `json:"survey_respondents"` // of the latest survey closed by now (0: none)
	SurveySatisfied   int64  `json:"survey_satisfied"`
	SurveyClosedOn    string `json:"survey_closed_on"`

	ComplaintsReceived int64 `json:"complaints_received"` // received this year (by now)
	ResponseDecided    int64 `json:"response_decided"`    // response stage met, late or missed
	ResponseMet        int64 `json:"response_met"`
	ResolveDecided     int64 `json:"resolve_decided"` // resolve stage met, late or missed
	ResolveMet         int64 `json:"resolve_met"`
}

// Value is the estate's numerator and denominator for the indicator.
func (f EstateFacts) Value(i Indicator) Rate {
	b := func(v bool) int64 {
		if v {
			return 1
		}
		return 0
	}
	switch i {
	case CommitteeFormation:
		return Rate{b(f.InOffice), 1}
	case TransitionalBody:
		return Rate{b(f.Transitional), 1}
	case PartyOrgCoverage:
		return Rate{b(f.PartyOrg), 1}
	case PartyWorkGroup:
		return Rate{b(f.InOffice && f.PartyWorkGroup), b(f.InOffice)}
	case PropertyCoverage:
		return Rate{b(f.Contract), 1}
	case OwnerSatisfaction:
		return Rate{f.SurveySatisfied, f.SurveyRespondents}
	case ComplaintsAccepted:
		return Rate{f.ResponseMet, f.ResponseDecided}
	case ComplaintsOnTime:
		return Rate{f.ResolveMet, f.ResolveDecided}
	}
	return Rate{}
}

// scopeFilter restricts a query on a table with an estate_id column to the estates
// whose community lies under prefix ("" is every estate).
func scopeFilter(q *gorm.DB, col, prefix string) *gorm.DB {
	if prefix == "" {
		return q
	}
	return q.Where(col+" IN (SELECT e.id FROM estates e JOIN orgs o ON o.id = e.community_id WHERE o.path LIKE ?)", prefix+"%")
}

// yearStart is 00:00 Shanghai of 1 January of t's Shanghai year, in UTC.
func yearStart(t time.Time) time.Time {
	s := t.In(rules.Shanghai())
	return time.Date(s.Year(), 1, 1, 0, 0, 0, 0, rules.Shanghai()).UTC()
}

// facts reads the facts of every estate under prefix as of now: one query per table,
// each through an index on estate_id (or the org path), none over units or ballots.
func (s *Service) facts(ctx context.Context, prefix string, now time.Time) ([]EstateFacts, error) {
	db := s.db.WithContext(ctx)
	today := rules.ShanghaiDate(now)
	var estates []models.EstateWithPath
	q := db.Table("estates").
		Select("estates.id, estates.name, estates.community_id, estates.profile_code, orgs.name AS community_name, orgs.path AS community_path").
		Joins("JOIN orgs ON orgs.id = estates.community_id").
		Order("orgs.path, estates.name, estates.id")
	if prefix != "" {
		q = q.Where("orgs.path LIKE ?", prefix+"%")
	}
	if err := q.Scan(&estates).Error; err != nil {
		return nil, fmt.Errorf("supervision: estates: %w", err)
	}
	out := make([]EstateFacts, len(estates))
	index := make(map[int64]int, len(estates))
	for i, e := range estates {
		out[i] = EstateFacts{EstateID: e.ID, EstateName: e.Name, CommunityID: e.CommunityID, CommunityName: e.CommunityName,
			CommunityPath: e.CommunityPath, ProfileCode: e.ProfileCode}
		index[e.ID] = i
	}
	if len(out) == 0 {
		return out, nil
	}
	// The complaints are the largest read: start it now and do the rest meanwhile. It
	// writes only the complaint fields of out, the other reads only the others.
	complaintsDone := make(chan error, 1)
	go func() { complaintsDone <- s.complaintFacts(ctx, prefix, now, out, index) }()
	drained := false
	defer func() { // an early return waits for the complaints, which write into out
		if !drained {
			<-complaintsDone
		}
	}()
	each := func(ids []int64, set func(*EstateFacts)) {
		for _, id := range ids {
			if i, ok := index[id]; ok {
				set(&out[i])
			}
		}
	}

	var inOffice []int64
	if err := scopeFilter(db.Table("committees").Distinct("estate_id").
		Where("status IN ?", []string{models.CommitteeFormed, models.CommitteeFiled}), "estate_id", prefix).
		Pluck("estate_id", &inOffice).Error; err != nil {
		return nil, fmt.Errorf("supervision: committees: %w", err)
	}
	each(inOffice, func(f *EstateFacts) { f.InOffice = true })

	var acting []int64
	if err := scopeFilter(db.Table("transitional_bodies").Where("open_estate_id IS NOT NULL"), "open_estate_id", prefix).
		Pluck("open_estate_id", &acting).Error; err != nil {
		return nil, fmt.Errorf("supervision: transitional bodies: %w", err)
	}
	each(acting, func(f *EstateFacts) { f.Transitional = !f.InOffice })

	var party []models.EstatePartyFacts
	if err := scopeFilter(db.Model(&models.EstatePartyFacts{}), "estate_id", prefix).Find(&party).Error; err != nil {
		return nil, fmt.Errorf("supervision: party facts: %w", err)
	}
	for _, p := range party {
		if i, ok := index[p.EstateID]; ok {
			out[i].PartyRecorded, out[i].PartyOrg, out[i].PartyWorkGroup = true, p.HasPartyOrg, p.PartyWorkGroup
		}
	}

	var covered []int64
	if err := scopeFilter(db.Table("service_contracts").Distinct("estate_id").
		Where("filed_on IS NOT NULL AND filed_on <= ? AND starts_on <= ? AND ends_on >= ? AND (terminated_on IS NULL OR terminated_on >= ?)",
			today, today, today, today), "estate_id", prefix).
		Pluck("estate_id", &covered).Error; err != nil {
		return nil, fmt.Errorf("supervision: contracts: %w", err)
	}
	each(covered, func(f *EstateFacts) { f.Contract = true })

	var surveys []models.SatisfactionSurvey
	if err := scopeFilter(db.Model(&models.SatisfactionSurvey{}).Select("id, estate_id, closed_at, respondents, satisfied").
		Where("closed_at <= ?", now), "estate_id", prefix).
		Order("estate_id, closed_at, id").Find(&surveys).Error; err != nil {
		return nil, fmt.Errorf("supervision: surveys: %w", err)
	}
	for _, sv := range surveys { // ordered: the last one of an estate wins
		if i, ok := index[sv.EstateID]; ok {
			out[i].SurveyRespondents, out[i].SurveySatisfied = int64(sv.Respondents), int64(sv.Satisfied)
			out[i].SurveyClosedOn = rules.ShanghaiDate(sv.ClosedAt)
		}
	}

	err := <-complaintsDone
	drained = true
	if err != nil {
		return nil, err
	}
	return out, nil
}

// complaintFacts counts the complaints received this year by now on the 三三三 clock
// of the estate's profile (app/rules ComplaintSLA, as the complaints register does):
// the stages decided by a recorded instant from the per-estate summary (migration
// 00035, kept in step by app/property), the stages still open from the few complaints
// not yet answered or resolved, read live because their state moves with the clock.
// Until the summary's backfill has run, every complaint of the year is read live.
func (s *Service) complaintFacts(ctx context.Context, prefix string, now time.Time, out []EstateFacts, index map[int64]int) error {
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return err
	}
	built, err := property.ComplaintSummaryBuilt(ctx, s.db)
	if err != nil {
		return fmt.Errorf("supervision: %w", err)
	}
	if !built {
		return s.complaintRows(ctx, scopeFilter(s.db.WithContext(ctx).Table("complaints").
			Select("estate_id, cycle_started_at, responded_at, resolved_at").
			Where("received_at >= ? AND received_at <= ?", yearStart(now), now), "estate_id", prefix), cal, now, out, index, true, true)
	}
	var sums []models.ComplaintSummary
	if err := scopeFilter(s.db.WithContext(ctx).Model(&models.ComplaintSummary{}).Where("year = ?", now.In(rules.Shanghai()).Year()),
		"estate_id", prefix).Find(&sums).Error; err != nil {
		return fmt.Errorf("supervision: complaint summary: %w", err)
	}
	for _, sm := range sums {
		if i, ok := index[sm.EstateID]; ok {
			f := &out[i]
			f.ComplaintsReceived += sm.Received
			f.ResponseDecided += sm.ResponseMet + sm.ResponseLate
			f.ResponseMet += sm.ResponseMet
			f.ResolveDecided += sm.ResolveMet + sm.ResolveLate
			f.ResolveMet += sm.ResolveMet
		}
	}
	open := func(where string) *gorm.DB {
		return scopeFilter(s.db.WithContext(ctx).Table("complaints").Select("estate_id, cycle_started_at, responded_at, resolved_at").
			Where(where+" AND received_at >= ? AND received_at <= ?", yearStart(now), now), "estate_id", prefix)
	}
	// Not resolved: the resolve stage, and the response stage if not answered either.
	if err := s.complaintRows(ctx, open("resolved_at IS NULL"), cal, now, out, index, false, true); err != nil {
		return err
	}
	// Resolved but never answered: the response stage.
	return s.complaintRows(ctx, open("responded_at IS NULL AND resolved_at IS NOT NULL"), cal, now, out, index, false, false)
}

// complaintRows adds the rows of q (estate_id, cycle_started_at, responded_at,
// resolved_at) to out: with all, everything; else the response stage where it is not
// recorded yet, and the resolve stage if resolve is set.
func (s *Service) complaintRows(ctx context.Context, q *gorm.DB, cal rules.Calendar, now time.Time, out []EstateFacts, index map[int64]int, all, resolve bool) error {
	// Read with database/sql, not GORM's reflection: without the summary the city
	// reads a year of complaints (about 110,000 rows at 10,000 estates).
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("supervision: complaints: %w", err)
	}
	defer rows.Close()
	profiles := map[string]rules.JurisdictionProfile{}
	var (
		estateID            int64
		started             time.Time
		responded, resolved sql.NullTime
	)
	for rows.Next() {
		if err := rows.Scan(&estateID, &started, &responded, &resolved); err != nil {
			return fmt.Errorf("supervision: complaints: %w", err)
		}
		i, ok := index[estateID]
		if !ok {
			continue
		}
		f := &out[i]
		prof, ok := profiles[f.ProfileCode]
		if !ok {
			prof = rules.ProfileOrDefault(f.ProfileCode)
			profiles[f.ProfileCode] = prof
		}
		in := rules.SLAInput{ReceivedAt: started.UTC(), ResponseMinutes: prof.ComplaintResponseMinutes, FirstResultHours: prof.ComplaintFirstResultHours,
			ResolveDays: prof.ComplaintResolveDays, Calendar: cal, Now: now}
		if responded.Valid {
			t := responded.Time.UTC()
			in.RespondedAt = &t
		}
		if resolved.Valid {
			t := resolved.Time.UTC()
			in.ResolvedAt = &t
		}
		r := rules.ComplaintSLA(in)
		if all {
			f.ComplaintsReceived++
		}
		if (all || !responded.Valid) && r.Response.State != rules.StagePending {
			f.ResponseDecided++
			if r.Response.Met() {
				f.ResponseMet++
			}
		}
		if (all || resolve) && r.Resolve.State != rules.StagePending {
			f.ResolveDecided++
			if r.Resolve.Met() {
				f.ResolveMet++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("supervision: complaints: %w", err)
	}
	return nil
}

// pathIDs are the org ids of a materialised path, root first.
func pathIDs(path string) []int64 {
	var out []int64
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
