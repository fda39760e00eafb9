package web

import (
	"bufio"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/exports"
	"gongzhi/app/orgs"
	"gongzhi/handlers/httpx"
)

// ExportPages serves the XLSX downloads of issue 16 (app/exports).
type ExportPages struct {
	*Handlers
	Exports *exports.Service
}

// sendWorkbook streams a finished workbook as the response body (the workbook is
// closed once written; a refusal came before, as a normal error answer).
func sendWorkbook(c *fiber.Ctx, wb *exports.Workbook) error {
	c.Set(fiber.HeaderContentType, exports.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+wb.Name+`"`)
	c.Response().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer wb.Close()
		if _, err := wb.WriteTo(w); err == nil {
			_ = w.Flush()
		}
	})
	return nil
}

// send answers with the workbook, or with err.
func send(c *fiber.Ctx, wb *exports.Workbook, err error) error {
	if err != nil {
		return err
	}
	return sendWorkbook(c, wb)
}

// Ballots downloads a vote's ballots for its auditors.
func (h *ExportPages) Ballots(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	wb, err := h.Exports.Ballots(httpx.Ctx(c), p, id)
	return send(c, wb, err)
}

// Participation downloads a vote's participation list (rooms and areas).
func (h *ExportPages) Participation(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	wb, err := h.Exports.Participation(httpx.Ctx(c), p, id)
	return send(c, wb, err)
}

// Results downloads a vote's result.
func (h *ExportPages) Results(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	wb, err := h.Exports.Results(httpx.Ctx(c), p, id)
	return send(c, wb, err)
}

// AuditLog downloads the audit log under the page's filters.
func (h *ExportPages) AuditLog(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	wb, err := h.Exports.AuditLog(httpx.Ctx(c), p, auditFilter(c))
	return send(c, wb, err)
}

// auditFilter reads the audit log page's filters from the query string.
func auditFilter(c *fiber.Ctx) orgs.AuditFilter {
	page, _ := strconv.Atoi(c.Query("page"))
	estate, err := strconv.ParseInt(c.Query("estate"), 10, 64)
	if err != nil && c.Query("estate") != "" {
		estate = -1 // not a number: AuditLogPage refuses it, naming the field
	}
	return orgs.AuditFilter{Actor: c.Query("actor"), Action: c.Query("action"), From: c.Query("from"), To: c.Query("to"),
		EstateID: estate, Search: c.Query("q"), Page: page, PerPage: PageSize}
}

// exportQuery is the request's query string without page=.
func exportQuery(c *fiber.Ctx) string {
	v := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, val []byte) {
		if string(k) != "page" {
			v.Add(string(k), string(val))
		}
	})
	return v.Encode()
}
