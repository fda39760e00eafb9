package supervision

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/models"
)

// targetSet holds one year's targets by org and indicator.
type targetSet map[int64]map[Indicator]int

// applying is the target of the nearest org on path (itself first, then its
// ancestors) that set one for the indicator: a district's target overrides the city's.
func (t targetSet) applying(path string, ind Indicator) (int, bool) {
	ids := pathIDs(path)
	for i := len(ids) - 1; i >= 0; i-- {
		if v, ok := t[ids[i]][ind]; ok {
			return v, true
		}
	}
	return 0, false
}

func (s *Service) targetsOfYear(ctx context.Context, year int) (targetSet, error) {
	var list []models.SupervisionTarget
	if err := s.db.WithContext(ctx).Where("year = ?", year).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("supervision: targets: %w", err)
	}
	out := targetSet{}
	for _, t := range list {
		if out[t.OrgID] == nil {
			out[t.OrgID] = map[Indicator]int{}
		}
		out[t.OrgID][Indicator(t.Indicator)] = t.Percent
	}
	return out, nil
}

// TargetInput sets one target: the org (a district or the city), the year, the
// indicator and the percent 0..100.
type TargetInput struct {
	OrgID     int64     `json:"org_id"`
	Year      int       `json:"year"`
	Indicator Indicator `json:"indicator"`
	Percent   int       `json:"percent"`
}

// Target is a target as listed.
type Target struct {
	OrgID     int64     `json:"org_id"`
	OrgName   string    `json:"org_name"`
	Year      int       `json:"year"`
	Indicator Indicator `json:"indicator"`
	Percent   int       `json:"percent"`
}

// targetOrg loads the org a target is set for: a district or the city in the
// principal's jurisdiction (its own org by default). read also admits the district or
// city above the principal's org, whose targets apply to it (the default for a street
// office or a community: the nearest one above).
func (s *Service) targetOrg(ctx context.Context, p app.Principal, orgID int64, read bool) (models.Org, error) {
	if orgID == 0 && read && !p.IsAdmin() {
		ids := pathIDs(p.OrgPath)
		for i := len(ids) - 1; i >= 0 && orgID == 0; i-- {
			if o, err := models.FindOrg(ctx, s.db, ids[i]); err == nil && (o.Kind == models.OrgDistrict || o.Kind == models.OrgCity) {
				orgID = o.ID
			}
		}
	}
	if orgID == 0 {
		orgID = p.OrgID
	}
	if orgID == 0 {
		return models.Org{}, app.Invalid("org_id", app.M("err.supervision.choose_a_district_or_the_city"))
	}
	o, err := models.FindOrg(ctx, s.db, orgID)
	visible := err == nil && (p.IsAdmin() || p.CoversOrgPath(o.Path) || (read && strings.HasPrefix(p.OrgPath, o.Path)))
	if !visible {
		return o, app.Fail(app.ENotFound, "err.supervision.no_such_org")
	}
	if o.Kind != models.OrgDistrict && o.Kind != models.OrgCity {
		return o, app.Invalid("org_id", app.M("err.supervision.targets_are_set_by_a_district_or_the_city"))
	}
	return o, nil
}

// SetTarget sets (or replaces) the percent of one indicator for one year.
func (s *Service) SetTarget(ctx context.Context, p app.Principal, in TargetInput) error {
	if err := access.Require(p, access.SetTargets); err != nil {
		return err
	}
	o, err := s.targetOrg(ctx, p, in.OrgID, false)
	if err != nil {
		return err
	}
	if !in.Indicator.Valid() {
		return app.Invalid("indicator", app.M("err.supervision.unknown_indicator"))
	}
	if in.Year < 2000 || in.Year > 2100 {
		return app.Invalid("year", app.M("err.supervision.year_2000_2100"))
	}
	if in.Percent < 0 || in.Percent > 100 {
		return app.Invalid("percent", app.M("err.supervision.percent_0_100"))
	}
	now := s.clock.Now().UTC()
	t := models.SupervisionTarget{OrgID: o.ID, Year: in.Year, Indicator: string(in.Indicator), Percent: in.Percent, CreatedAt: now, UpdatedAt: now}
	if p.UserID != 0 {
		uid := p.UserID
		t.SetBy = &uid
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		row := t
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "org_id"}, {Name: "year"}, {Name: "indicator"}},
			DoUpdates: clause.AssignmentColumns([]string{"percent", "set_by", "updated_at"})}).Create(&row).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "supervision.target", TargetType: "org", TargetID: o.ID, OrgID: o.ID,
			Detail: map[string]any{"year": in.Year, "indicator": in.Indicator, "percent": in.Percent}})
	})
	if err != nil {
		return app.AsError(err)
	}
	return nil
}

// Targets lists the targets of a district or city (0: the principal's own org), by year
// then indicator order.
func (s *Service) Targets(ctx context.Context, p app.Principal, orgID int64) ([]Target, error) {
	if err := access.Require(p, access.ReadSupervision); err != nil {
		return nil, err
	}
	o, err := s.targetOrg(ctx, p, orgID, true)
	if err != nil {
		return nil, err
	}
	var list []models.SupervisionTarget
	if err := s.db.WithContext(ctx).Where("org_id = ?", o.ID).Find(&list).Error; err != nil {
		return nil, app.Internal(err)
	}
	rank := map[Indicator]int{}
	for i, ind := range Indicators() {
		rank[ind] = i
	}
	out := make([]Target, 0, len(list))
	for _, t := range list {
		out = append(out, Target{OrgID: o.ID, OrgName: o.Name, Year: t.Year, Indicator: Indicator(t.Indicator), Percent: t.Percent})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year < out[j].Year
		}
		return rank[out[i].Indicator] < rank[out[j].Indicator]
	})
	return out, nil
}
