package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/supervision"
	"gongzhi/handlers/httpx"
)

// SupervisionPages are the pages of the rates against targets (issue 15): the rates of
// a scope by the orgs below it with a chart, the estates behind one rate (with the Party
// facts form), the targets and the XLSX exports.
type SupervisionPages struct {
	*Handlers
	Supervision *supervision.Service
}

// queryOrg reads the optional ?org= id.
func queryOrg(c *fiber.Ctx) (int64, error) {
	v := strings.TrimSpace(c.Query("org"))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, app.Invalid("org", app.M("err.web.a_positive_integer"))
	}
	return id, nil
}

// chartData is the JSON the chart script reads: per indicator the percent of each row
// (null with nothing to count) and its target (null: none).
type chartData struct {
	Orgs       []string                      `json:"orgs"`
	Indicators []chartIndicator              `json:"indicators"`
	Values     map[string][]*int64           `json:"values"`
	Targets    map[string][]*int             `json:"targets"`
	Labels     map[string]string             `json:"labels"`
	Fractions  map[string][]supervision.Rate `json:"fractions"`
}

type chartIndicator struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type ratesData struct {
	Report supervision.Report
	Chart  chartData
	Query  string // org=&by= of this page, for the links
	Kinds  []string
	CanSet bool
}

func (h *SupervisionPages) chart(c *fiber.Ctx, rep supervision.Report) chartData {
	lang := Lang(c)
	d := chartData{Values: map[string][]*int64{}, Targets: map[string][]*int{}, Fractions: map[string][]supervision.Rate{},
		Labels: map[string]string{"rate": h.Views.T(lang, "h9.chart_rate"), "target": h.Views.T(lang, "h9.chart_target")}}
	for _, r := range rep.Rows {
		d.Orgs = append(d.Orgs, r.OrgName)
	}
	for _, ind := range rep.Indicators {
		d.Indicators = append(d.Indicators, chartIndicator{Key: string(ind), Name: h.Views.T(lang, "h9.ind."+string(ind))})
		for _, r := range rep.Rows {
			cell := r.Cell(ind)
			var v *int64
			if cell.Rate.Den > 0 {
				p := cell.Percent
				v = &p
			}
			d.Values[string(ind)] = append(d.Values[string(ind)], v)
			d.Targets[string(ind)] = append(d.Targets[string(ind)], cell.Target)
			d.Fractions[string(ind)] = append(d.Fractions[string(ind)], cell.Rate)
		}
	}
	return d
}

func (h *SupervisionPages) report(c *fiber.Ctx) (app.Principal, supervision.Report, error) {
	p := httpx.MustPrincipal(c)
	org, err := queryOrg(c)
	if err != nil {
		return p, supervision.Report{}, err
	}
	rep, err := h.Supervision.Rates(httpx.Ctx(c), p, org, strings.TrimSpace(c.Query("by")))
	return p, rep, err
}

// Rates is the rates page: the definitions, the total against the targets, the rates by
// the orgs below, and a chart of one rate by org (progressive enhancement over the table).
func (h *SupervisionPages) Rates(c *fiber.Ctx) error {
	p, rep, err := h.report(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	if rep.ScopeID != 0 {
		q.Set("org", strconv.FormatInt(rep.ScopeID, 10))
	}
	q.Set("by", rep.By)
	d := ratesData{Report: rep, Chart: h.chart(c, rep), Query: q.Encode(), CanSet: access.Can(p, access.SetTargets)}
	below := map[string][]string{"": {"district", "street", "community"}, "city": {"district", "street", "community"},
		"district": {"street", "community"}, "street": {"community"}, "community": {"community"}}
	d.Kinds = below[rep.ScopeKind]
	return h.Render(c, "supervision_rates", h.page(c, "supervision", d))
}

// RatesXLSX exports the rates page as a workbook.
func (h *SupervisionPages) RatesXLSX(c *fiber.Ctx) error {
	_, rep, err := h.report(c)
	if err != nil {
		return err
	}
	lang := Lang(c)
	data, err := supervision.RatesXLSX(rep, func(k string) string { return h.Views.T(lang, k) })
	if err != nil {
		return app.Internal(err)
	}
	return sendXLSX(c, fmt.Sprintf("rates-%d-%s.xlsx", rep.ScopeID, rep.Today), data)
}

type drillData struct {
	Down  supervision.DrillDown
	Query string
	Party bool // the indicator is one of the Party facts: show the form per estate
}

func (h *SupervisionPages) drill(c *fiber.Ctx) (supervision.DrillDown, error) {
	org, err := queryOrg(c)
	if err != nil {
		return supervision.DrillDown{}, err
	}
	return h.Supervision.Estates(httpx.Ctx(c), httpx.MustPrincipal(c), org, supervision.Indicator(c.Query("indicator")), 0)
}

// Estates is the drill-down: the estates behind one rate, those not counted first.
func (h *SupervisionPages) Estates(c *fiber.Ctx) error {
	d, err := h.drill(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	if d.ScopeID != 0 {
		q.Set("org", strconv.FormatInt(d.ScopeID, 10))
	}
	q.Set("indicator", string(d.Indicator))
	party := d.Indicator == supervision.PartyOrgCoverage || d.Indicator == supervision.PartyWorkGroup
	return h.Render(c, "supervision_estates", h.page(c, "supervision", drillData{Down: d, Query: q.Encode(), Party: party && d.CanRecord}))
}

// EstatesXLSX exports the drill-down as a workbook.
func (h *SupervisionPages) EstatesXLSX(c *fiber.Ctx) error {
	d, err := h.drill(c)
	if err != nil {
		return err
	}
	lang := Lang(c)
	data, err := supervision.DrillDownXLSX(d, func(k string) string { return h.Views.T(lang, k) })
	if err != nil {
		return app.Internal(err)
	}
	return sendXLSX(c, fmt.Sprintf("rate-%s-%d-%s.xlsx", d.Indicator, d.ScopeID, d.Today), data)
}

// RecordParty saves an estate's Party facts from the drill-down and returns to it.
func (h *SupervisionPages) RecordParty(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	in := supervision.PartyInput{HasPartyOrg: c.FormValue("has_party_org") == "1", PartyWorkGroup: c.FormValue("party_work_group") == "1"}
	if err := h.Supervision.RecordParty(httpx.Ctx(c), p, id, in); err != nil {
		return err
	}
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/supervision/estates?") {
		back = "/supervision"
	}
	return h.RedirectWithFlash(c, back, h.Views.T(Lang(c), "h9.saved"))
}

type targetsData struct {
	OrgID      int64
	Targets    []supervision.Target
	Indicators []supervision.Indicator
	CanSet     bool
	Year       int
}

func (h *SupervisionPages) renderTargets(c *fiber.Ctx, formErr error) error {
	p := httpx.MustPrincipal(c)
	org, err := queryOrg(c)
	if err != nil {
		return err
	}
	list, err := h.Supervision.Targets(httpx.Ctx(c), p, org)
	if err != nil {
		return err
	}
	d := targetsData{OrgID: org, Targets: list, Indicators: supervision.Indicators(), CanSet: access.Can(p, access.SetTargets), Year: h.now().Year()}
	if d.OrgID == 0 {
		d.OrgID = p.OrgID
	}
	return h.RenderWithError(c, "supervision_targets", h.page(c, "supervision", d), formErr)
}

// Targets lists a district's (or the city's) targets by year, with the form to set one.
func (h *SupervisionPages) Targets(c *fiber.Ctx) error { return h.renderTargets(c, nil) }

// SetTarget sets one target from the targets page.
func (h *SupervisionPages) SetTarget(c *fiber.Ctx) error {
	p := httpx.MustPrincipal(c)
	in := supervision.TargetInput{Indicator: supervision.Indicator(c.FormValue("indicator"))}
	var err error
	if in.OrgID, err = formID(c, "org_id"); err == nil {
		in.Year, err = h9Int(c, "year")
	}
	if err == nil {
		in.Percent, err = h9Int(c, "percent")
	}
	if err == nil {
		err = h.Supervision.SetTarget(httpx.Ctx(c), p, in)
	}
	if err != nil {
		return h.renderTargets(c, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/supervision/targets?org=%d", in.OrgID), h.Views.T(Lang(c), "h9.saved"))
}

// h9Int reads a required integer form field.
func h9Int(c *fiber.Ctx, name string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
	if err != nil {
		return 0, app.Invalid(name, app.M("err.web.an_integer"))
	}
	return v, nil
}
