package api

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app/supervision"
	"gongzhi/handlers/httpx"
)

// ReportHandlers are the monthly supervision reports' API (issue 15).
type ReportHandlers struct {
	Reports *supervision.ReportService
}

type reportRequest struct {
	OrgID int64  `json:"org_id"`
	Month string `json:"month"`
}

// List lists the reports of ?org_id=.
func (h *ReportHandlers) List(c *fiber.Ctx) error {
	id := int64(c.QueryInt("org_id"))
	list, err := h.Reports.Reports(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// Generate issues (or serves, when unchanged) the report of an org for a month.
func (h *ReportHandlers) Generate(c *fiber.Ctx) error {
	var in reportRequest
	if err := httpx.BindJSON(c, &in); err != nil {
		return err
	}
	f, created, err := h.Reports.Generate(httpx.Ctx(c), httpx.MustPrincipal(c), in.OrgID, in.Month)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(f.Document)
}

// PDF downloads a report by number.
func (h *ReportHandlers) PDF(c *fiber.Ctx) error {
	f, err := h.Reports.File(httpx.Ctx(c), httpx.MustPrincipal(c), c.Params("code"))
	if err != nil {
		return err
	}
	c.Set("X-Document-Number", f.Number)
	c.Set("X-Document-SHA256", f.SHA256)
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.Filename()+`"`)
	return c.Send(f.Data)
}
