package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/documents"
	"gongzhi/app/supervision"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// ReportPages are the monthly supervision reports (issue 15): the list of an org's
// reports with the on-demand form, the PDF, and the public verification page.
type ReportPages struct {
	*Handlers
	Reports *supervision.ReportService
	Docs    *documents.Service
}

// reportsData is the reports page.
type reportsData struct {
	Orgs    []models.Org
	OrgID   int64
	Month   string
	Reports []supervision.MonthlyReport
}

func (h *ReportPages) load(c *fiber.Ctx, p app.Principal) (reportsData, error) {
	ctx := httpx.Ctx(c)
	d := reportsData{Month: h.Reports.Month()}
	var err error
	if d.Orgs, err = h.Reports.ReportOrgs(ctx, p); err != nil {
		return d, err
	}
	if v := c.Query("org"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return d, app.Invalid("org", app.M("err.web.bad_org_id"))
		}
		d.OrgID = id
	} else if len(d.Orgs) > 0 {
		d.OrgID = d.Orgs[0].ID
	}
	if d.OrgID != 0 {
		if d.Reports, err = h.Reports.Reports(ctx, p, d.OrgID); err != nil {
			return d, err
		}
	}
	return d, nil
}

// ReportsPage lists an org's monthly reports (?org=, default the first org p covers).
func (h *ReportPages) ReportsPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	d, err := h.load(c, p)
	if err != nil {
		return err
	}
	return h.Render(c, "supervision_reports", h.page(c, "worklist", d))
}

// Generate issues the report of an org for a month on demand.
func (h *ReportPages) Generate(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	orgID, _ := strconv.ParseInt(c.FormValue("org_id"), 10, 64)
	f, _, err := h.Reports.Generate(httpx.Ctx(c), p, orgID, c.FormValue("month"))
	if err != nil {
		if app.ErrorCode(err) == app.EInternal || app.ErrorCode(err) == app.ENotFound {
			return err
		}
		d, lerr := h.load(c, p)
		if lerr != nil {
			return lerr
		}
		return h.RenderWithError(c, "supervision_reports", h.page(c, "worklist", d), err)
	}
	return h.RedirectWithFlash(c, "/supervision/reports?org="+strconv.FormatInt(orgID, 10), h.Views.T(Lang(c), "h10.report_issued", "Number", f.Number))
}

// PDF downloads a report by number.
func (h *ReportPages) PDF(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	f, err := h.Reports.File(httpx.Ctx(c), p, c.Params("code"))
	if err != nil {
		return err
	}
	return sendOrgFile(c, f)
}

// sendOrgFile sends a report's PDF.
func sendOrgFile(c *fiber.Ctx, f documents.File) error {
	c.Set("X-Document-Number", f.Number)
	c.Set("X-Document-SHA256", f.SHA256)
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.Filename()+`"`)
	return c.Send(f.Data)
}

// Verify answers the verification links of the reports issued before they were
// documents (/verify/org/<number>, migration 00036 kept their numbers): a permanent
// redirect to the verification page every document has.
func (h *ReportPages) Verify(c *fiber.Ctx) error {
	return c.Redirect("/verify/"+url.PathEscape(documents.NormaliseNumber(c.Params("code"))), fiber.StatusMovedPermanently)
}
