package orgs

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

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
	q, ok := auditScope(p)
	if !ok {
		return nil, nil
	}
	q.Limit = limit
	list, err := audit.List(ctx, s.db, q)
	if err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}

// AuditFilter is what the audit log page asks for: filters as typed (dates
// "YYYY-MM-DD", Shanghai calendar days, both ends included) and a page.
type AuditFilter struct {
	Actor    string
	Action   string // an action or a family ending in "."
	From, To string
	EstateID int64
	Search   string
	Page     int // 1-based
	PerPage  int
	// UpToSeq, when set, keeps entries appended later out (an export reading page by
	// page sees one fixed list).
	UpToSeq int64
}

// AuditPage is one page of the filtered audit log.
type AuditPage struct {
	Entries []models.AuditLog
	Total   int64
	Page    int
	Pages   int
}

// AuditLogPage is AuditLog filtered and paged (issue 16): by the acting account,
// an action or action family, a date range, one estate of the jurisdiction (one
// outside it is not found) and a search over action, target and detail.
func (s *Service) AuditLogPage(ctx context.Context, p app.Principal, f AuditFilter) (AuditPage, error) {
	q, ok := auditScope(p)
	if !ok {
		return AuditPage{Page: 1, Pages: 1}, nil
	}
	if f.EstateID < 0 {
		return AuditPage{}, app.Invalid("estate", app.M("err.orgs.estate_filter_invalid"))
	}
	if f.EstateID != 0 {
		if _, err := s.Estate(ctx, p, f.EstateID); err != nil {
			return AuditPage{}, err
		}
		q.InEstate = f.EstateID
	}
	loc := rules.Shanghai()
	for _, d := range []struct {
		field, value string
		into         *time.Time
		next         bool
	}{{"from", f.From, &q.From, false}, {"to", f.To, &q.Before, true}} {
		v := strings.TrimSpace(d.value)
		if v == "" {
			continue
		}
		day, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return AuditPage{}, app.Invalid(d.field, app.M("err.orgs.a_date_as_yyyy_mm_dd"))
		}
		if d.next {
			day = day.AddDate(0, 0, 1)
		}
		*d.into = day.UTC()
	}
	if !q.From.IsZero() && !q.Before.IsZero() && !q.From.Before(q.Before) {
		return AuditPage{}, app.Invalid("to", app.M("err.orgs.the_end_date_is_before_the_start_date"))
	}
	q.UpToSeq = f.UpToSeq
	q.Actor, q.Action, q.Search = strings.TrimSpace(f.Actor), strings.TrimSpace(f.Action), strings.TrimSpace(f.Search)
	if utf8.RuneCountInString(q.Search) > 100 || len(q.Actor) > 64 || len(q.Action) > 64 {
		return AuditPage{}, app.Invalid("q", app.M("err.orgs.the_search_is_too_long"))
	}
	per := f.PerPage
	if per <= 0 || per > 500 {
		per = 50
	}
	total, err := audit.Count(ctx, s.db, q)
	if err != nil {
		return AuditPage{}, app.Internal(err)
	}
	pages := max(1, int((total+int64(per)-1)/int64(per)))
	page := min(max(f.Page, 1), pages)
	q.Limit, q.Offset = per, (page-1)*per
	list, err := audit.List(ctx, s.db, q)
	if err != nil {
		return AuditPage{}, app.Internal(err)
	}
	return AuditPage{Entries: list, Total: total, Page: page, Pages: pages}, nil
}

// auditScope is the part of the audit trail p's jurisdiction covers (AuditLog);
// false: none.
func auditScope(p app.Principal) (audit.Query, bool) {
	var q audit.Query
	switch {
	case p.IsAdmin():
	case p.Role == app.RoleCommittee:
		if p.EstateID == 0 {
			return q, false
		}
		q.EstateID = p.EstateID
	case p.OrgPath != "":
		q.OrgPath = p.OrgPath
	default:
		return q, false
	}
	return q, true
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
