package supervision

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Rate is an exact ratio: Num of Den. Percentages are for display only, rounded half
// up in integers (rules.RoundPercent); comparisons with targets are exact.
type Rate struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// Add sums two rates term by term.
func (r Rate) Add(o Rate) Rate { return Rate{r.Num + o.Num, r.Den + o.Den} }

// Percent is the rate as a whole percentage rounded half up (0 when Den is 0).
func (r Rate) Percent() int64 { return rules.RoundPercent(r.Num, r.Den) }

// Shown is the percentage as displayed: "62%", or "—" with nothing to count.
func (r Rate) Shown() string {
	if r.Den == 0 {
		return "—"
	}
	return strconv.FormatInt(r.Percent(), 10) + "%"
}

// Cell is one rate of one row against its target.
type Cell struct {
	Indicator Indicator `json:"indicator"`
	Rate      Rate      `json:"rate"`
	Percent   int64     `json:"percent"`
	Target    *int      `json:"target,omitempty"` // percent; nil: no target set for the year
	Met       bool      `json:"met"`              // 100·num ≥ target·den
}

// Row is the rates of one org (or of the whole scope).
type Row struct {
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	OrgKind string `json:"org_kind"`
	Estates int64  `json:"estates"`
	Cells   []Cell `json:"cells"`
}

// Cell returns the row's cell of the indicator.
func (r Row) Cell(i Indicator) Cell {
	for _, c := range r.Cells {
		if c.Indicator == i {
			return c
		}
	}
	return Cell{Indicator: i}
}

// Report is the rates of a scope (the viewer's org or one below it), in total and by
// the orgs of one level below it (By), as of one instant.
type Report struct {
	ScopeID    int64       `json:"scope_id"` // 0: the whole platform (administrator)
	ScopeName  string      `json:"scope_name"`
	ScopeKind  string      `json:"scope_kind"`
	By         string      `json:"by"` // the kind of the rows' orgs
	Year       int         `json:"year"`
	Today      string      `json:"today"`
	AsOf       time.Time   `json:"as_of"`
	Indicators []Indicator `json:"indicators"`
	Total      Row         `json:"total"`
	Rows       []Row       `json:"rows"`
}

// scope is an org the principal may read rates of ("" path: everything, admin only).
type scope struct {
	ID   int64
	Name string
	Kind string
	Path string
}

var kindOrder = []string{"", models.OrgCity, models.OrgDistrict, models.OrgStreet, models.OrgCommunity}

func kindRank(k string) int {
	for i, v := range kindOrder {
		if v == k {
			return i
		}
	}
	return -1
}

// resolveScope checks the role and the jurisdiction: orgID 0 is the principal's own
// org; an org outside the jurisdiction does not exist for it.
func (s *Service) resolveScope(ctx context.Context, p app.Principal, orgID int64) (scope, error) {
	if err := access.Require(p, access.ReadSupervision); err != nil {
		return scope{}, err
	}
	if orgID == 0 {
		if p.IsAdmin() {
			// msgconv:keep: the scope's name is JSON text of the rates API (known debt)
			return scope{Name: "全部 / All"}, nil
		}
		orgID = p.OrgID
	}
	o, err := models.FindOrg(ctx, s.db, orgID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !p.IsAdmin() && !p.CoversOrgPath(o.Path)) {
		return scope{}, app.Fail(app.ENotFound, "err.supervision.no_such_org")
	}
	if err != nil {
		return scope{}, app.Internal(err)
	}
	return scope{ID: o.ID, Name: o.Name, Kind: o.Kind, Path: o.Path}, nil
}

// Rates computes the rates of the scope orgID (0: the principal's own) by the orgs of
// kind by below it ("": the next level down), against the targets of the current year.
func (s *Service) Rates(ctx context.Context, p app.Principal, orgID int64, by string) (Report, error) {
	sc, err := s.resolveScope(ctx, p, orgID)
	if err != nil {
		return Report{}, err
	}
	if by == "" {
		by = models.OrgCommunity
		if r := kindRank(sc.Kind); r >= 0 && r+1 < len(kindOrder) {
			by = kindOrder[r+1]
		}
	}
	if kindRank(by) <= kindRank(sc.Kind) && sc.Kind != models.OrgCommunity {
		return Report{}, app.Invalid("by", app.M("err.supervision.by_must_be_a_kind_below_the_scope"))
	}
	if sc.Kind == models.OrgCommunity {
		by = models.OrgCommunity
	}
	now := s.clock.Now().UTC()
	facts, err := s.facts(ctx, sc.Path, now)
	if err != nil {
		return Report{}, app.Internal(err)
	}
	orgList, err := models.OrgsUnder(ctx, s.db, sc.Path)
	if err != nil {
		return Report{}, app.Internal(err)
	}
	orgsByID := make(map[int64]models.Org, len(orgList))
	for _, o := range orgList {
		orgsByID[o.ID] = o
	}
	year := now.In(rules.Shanghai()).Year()
	targets, err := s.targetsOfYear(ctx, year)
	if err != nil {
		return Report{}, app.Internal(err)
	}
	rep := Report{ScopeID: sc.ID, ScopeName: sc.Name, ScopeKind: sc.Kind, By: by, Year: year, Today: rules.ShanghaiDate(now), AsOf: now,
		Indicators: Indicators()}
	sums := map[int64]map[Indicator]Rate{}
	counts := map[int64]int64{}
	total := map[Indicator]Rate{}
	var order []int64
	for _, f := range facts {
		group := int64(0)
		for _, id := range pathIDs(f.CommunityPath) {
			if o, ok := orgsByID[id]; ok && o.Kind == by {
				group = id
			}
		}
		if _, ok := sums[group]; !ok {
			sums[group] = map[Indicator]Rate{}
			order = append(order, group)
		}
		counts[group]++
		for _, ind := range rep.Indicators {
			v := f.Value(ind)
			sums[group][ind] = sums[group][ind].Add(v)
			total[ind] = total[ind].Add(v)
		}
	}
	rep.Total = row(sc.ID, sc.Name, sc.Kind, sc.Path, int64(len(facts)), total, rep.Indicators, targets)
	// Every org of the level appears, also one without estates.
	for _, o := range orgList {
		if o.Kind == by {
			if _, ok := sums[o.ID]; !ok {
				sums[o.ID] = map[Indicator]Rate{}
				order = append(order, o.ID)
			}
		}
	}
	for _, g := range order {
		o, ok := orgsByID[g]
		if !ok {
			o = models.Org{Name: "—"}
		}
		rep.Rows = append(rep.Rows, row(g, o.Name, o.Kind, o.Path, counts[g], sums[g], rep.Indicators, targets))
	}
	// Rows of one level in the order the orgs were created (ids), estates without
	// a group last.
	sort.SliceStable(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i].OrgID, rep.Rows[j].OrgID
		if (a == 0) != (b == 0) {
			return b == 0
		}
		return a < b
	})
	return rep, nil
}

func row(id int64, name, kind, path string, estates int64, sums map[Indicator]Rate, inds []Indicator, targets targetSet) Row {
	r := Row{OrgID: id, OrgName: name, OrgKind: kind, Estates: estates}
	for _, ind := range inds {
		rate := sums[ind]
		c := Cell{Indicator: ind, Rate: rate, Percent: rate.Percent()}
		if t, ok := targets.applying(path, ind); ok {
			c.Target = &t
			c.Met = rules.MeetsTarget(rate.Num, rate.Den, int64(t))
		}
		r.Cells = append(r.Cells, c)
	}
	return r
}

// EstateLine is one estate behind a rate: its facts and its share of the rate.
type EstateLine struct {
	EstateFacts
	Value   Rate `json:"value"`
	Counted bool `json:"counted"` // in the numerator
}

// DrillDown is the estates behind one rate of a scope.
type DrillDown struct {
	ScopeID   int64        `json:"scope_id"`
	ScopeName string       `json:"scope_name"`
	Indicator Indicator    `json:"indicator"`
	Today     string       `json:"today"`
	Total     Cell         `json:"total"`
	Estates   []EstateLine `json:"estates"`
	Shown     int          `json:"shown"` // lines returned (at most limit)
	All       int          `json:"all"`   // estates in the scope
	CanRecord bool         `json:"-"`     // may record the Party facts
}

// Estates lists the estates behind the indicator's rate in the scope, those not
// counted first, at most limit (≤ 0: 1000).
func (s *Service) Estates(ctx context.Context, p app.Principal, orgID int64, ind Indicator, limit int) (DrillDown, error) {
	if !ind.Valid() {
		return DrillDown{}, app.Invalid("indicator", app.M("err.supervision.unknown_indicator"))
	}
	sc, err := s.resolveScope(ctx, p, orgID)
	if err != nil {
		return DrillDown{}, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	now := s.clock.Now().UTC()
	facts, err := s.facts(ctx, sc.Path, now)
	if err != nil {
		return DrillDown{}, app.Internal(err)
	}
	targets, err := s.targetsOfYear(ctx, now.In(rules.Shanghai()).Year())
	if err != nil {
		return DrillDown{}, app.Internal(err)
	}
	d := DrillDown{ScopeID: sc.ID, ScopeName: sc.Name, Indicator: ind, Today: rules.ShanghaiDate(now), All: len(facts),
		CanRecord: access.Can(p, access.RecordPartyFacts)}
	var total Rate
	lines := make([]EstateLine, 0, len(facts))
	for _, f := range facts {
		v := f.Value(ind)
		total = total.Add(v)
		lines = append(lines, EstateLine{EstateFacts: f, Value: v, Counted: v.Num > 0 && (v.Num == v.Den || !ind.PerEstate())})
	}
	sort.SliceStable(lines, func(i, j int) bool { return !lines[i].Counted && lines[j].Counted })
	if len(lines) > limit {
		lines = lines[:limit]
	}
	d.Estates, d.Shown = lines, len(lines)
	d.Total = row(sc.ID, sc.Name, sc.Kind, sc.Path, int64(len(facts)), map[Indicator]Rate{ind: total}, []Indicator{ind}, targets).Cells[0]
	return d, nil
}

// String is "num/den".
func (r Rate) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }
