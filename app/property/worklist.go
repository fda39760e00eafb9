package property

import (
	"context"
	"sort"

	"gongzhi/app"
	"gongzhi/app/calendar"
	"gongzhi/models"
)

// OpenComplaints lists every complaint of p's estates not resolved in its current cycle,
// with its 三三三 clock, oldest next deadline first: the week's work and the complaints
// chart (app/worklist, issue 15). Unlike Complaints it has no cap, so that the oldest
// overdue complaints of a district or city are never cut off.
func (s *Service) OpenComplaints(ctx context.Context, p app.Principal) ([]ComplaintView, error) {
	ids, by, err := s.visibleEstates(ctx, p)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var list []models.Complaint
	if err := s.db.WithContext(ctx).Where("estate_id IN ? AND resolved_at IS NULL", ids).Order("cycle_started_at, id").Find(&list).Error; err != nil {
		return nil, app.Internal(err)
	}
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return nil, err
	}
	now := s.now()
	// The companies' names in one query (a city's open complaints name hundreds).
	seen := map[int64]bool{}
	companyIDs := []int64{}
	for _, c := range list {
		if !seen[c.CompanyID] {
			seen[c.CompanyID] = true
			companyIDs = append(companyIDs, c.CompanyID)
		}
	}
	var companies []models.PropertyCompany
	if len(companyIDs) > 0 {
		if err := s.db.WithContext(ctx).Select("id, name").Where("id IN ?", companyIDs).Find(&companies).Error; err != nil {
			return nil, app.Internal(err)
		}
	}
	names := make(map[int64]string, len(companies))
	for _, co := range companies {
		names[co.ID] = co.Name
	}
	out := make([]ComplaintView, len(list))
	for i, c := range list {
		e := by[c.EstateID]
		out[i] = ComplaintView{Complaint: c, EstateName: e.Name, SLA: s.slaOf(c, profileOf(e), cal, now)}
		out[i].Escalated = out[i].SLA.Overdue
		out[i].CompanyName = names[c.CompanyID]
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SLA.NextDue.Before(out[j].SLA.NextDue) })
	return out, nil
}
