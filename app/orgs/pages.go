package orgs

import (
	"context"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// EstateSummary is an estate with the number of its units (parking spaces
// excluded) and their total area.
type EstateSummary struct {
	models.EstateWithPath
	Units     int
	TotalArea rules.Area
}

// EstateSummaries lists the estates the principal may see, each with its unit count
// and area.
func (s *Service) EstateSummaries(ctx context.Context, p app.Principal) ([]EstateSummary, error) {
	list, err := s.ListEstates(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.summaries(ctx, list)
}

// EstateSummary loads an estate the principal may see (not_found outside its
// jurisdiction, as Estate) with its unit count and area.
func (s *Service) EstateSummary(ctx context.Context, p app.Principal, id int64) (EstateSummary, error) {
	e, err := s.Estate(ctx, p, id)
	if err != nil {
		return EstateSummary{}, err
	}
	out, err := s.summaries(ctx, []models.EstateWithPath{e})
	if err != nil {
		return EstateSummary{}, err
	}
	return out[0], nil
}

func (s *Service) summaries(ctx context.Context, list []models.EstateWithPath) ([]EstateSummary, error) {
	ids := make([]int64, 0, len(list))
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	stats, err := models.UnitStats(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	out := make([]EstateSummary, 0, len(list))
	for _, e := range list {
		out = append(out, EstateSummary{EstateWithPath: e, Units: stats[e.ID].Units, TotalArea: rules.Area(stats[e.ID].TotalArea)})
	}
	return out, nil
}

// OrgName is the name of the principal's own org node ("" for an account without
// one: the admin, a committee).
func (s *Service) OrgName(ctx context.Context, p app.Principal) (string, error) {
	if p.OrgID == 0 {
		return "", nil
	}
	o, err := models.FindOrg(ctx, s.db, p.OrgID)
	if err != nil {
		return "", app.Internal(err)
	}
	return o.Name, nil
}

// AuditLog returns the newest entries (at most limit) of the audit trail the
// principal's jurisdiction covers: everything for the admin, the estate's for a
// committee, the subtree's for staff of an org; nothing for an account with none.
func (s *Service) AuditLog(ctx context.Context, p app.Principal, limit int) ([]models.AuditLog, error) {
	var q audit.Query
	switch {
	case p.IsAdmin():
	case p.Role == app.RoleCommittee:
		if p.EstateID == 0 {
			return nil, nil
		}
		q.EstateID = p.EstateID
	case p.OrgPath != "":
		q.OrgPath = p.OrgPath
	default:
		return nil, nil
	}
	q.Limit = limit
	list, err := audit.List(ctx, s.db, q)
	if err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}

// creatableKinds are the kinds of org node each role may create (below its own
// node; CreateOrg checks the parent).
var creatableKinds = map[app.Role][]string{
	app.RoleAdmin:    {models.OrgCity, models.OrgDistrict, models.OrgStreet, models.OrgCommunity},
	app.RoleDistrict: {models.OrgStreet, models.OrgCommunity},
	app.RoleStreet:   {models.OrgCommunity},
}

// OrgKinds are the kinds of org node p may create, top down (none without
// access.ManageOrgs), for the org form; CreateOrg checks them again with the parent.
func (s *Service) OrgKinds(p app.Principal) []string {
	if !access.Can(p, access.ManageOrgs) {
		return nil
	}
	return creatableKinds[p.Role]
}
