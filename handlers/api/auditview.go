package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/auditview"
	"gongzhi/handlers/httpx"
)

// AuditHandlers serve the auditor's workspace of a vote (app/auditview, docs/audit.md).
type AuditHandlers struct {
	Audit    *auditview.Service
	Validate *httpx.Validator
}

// Workspace is the overview of a vote: ballots by channel, flags, voids, failed
// identity checks, reissues, paper audits and kept recounts.
func (h *AuditHandlers) Workspace(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	w, err := h.Audit.Workspace(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

// PageParam reads ?page= (1 when absent).
func PageParam(c *fiber.Ctx) (int, error) {
	s := c.Query("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, app.Invalid("page", app.M("err.api.must_be_a_positive_whole_number"))
	}
	return n, nil
}

// Ballots is one page of the vote's ballots (?channel=online|paper|proxy, ?page=N).
func (h *AuditHandlers) Ballots(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	page, err := PageParam(c)
	if err != nil {
		return err
	}
	out, err := h.Audit.Ballots(httpx.Ctx(c), httpx.MustPrincipal(c), id, c.Query("channel"), page)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type drawSampleRequest struct {
	Size int    `json:"size"`
	Seed string `json:"seed"`
}

// DrawSample draws a sampled paper audit: 201 with the audit and its seed.
func (h *AuditHandlers) DrawSample(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req drawSampleRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	out, err := h.Audit.DrawSample(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Size, req.Seed)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// PaperAudit is one paper audit with its sampled ballots, choices and scans.
func (h *AuditHandlers) PaperAudit(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	auditID, err := PathID(c, "paudit")
	if err != nil {
		return err
	}
	out, err := h.Audit.PaperAudit(httpx.Ctx(c), httpx.MustPrincipal(c), id, auditID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type recordCheckRequest struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// RecordCheck records the outcome (match or discrepancy, with a note) of one sampled ballot.
func (h *AuditHandlers) RecordCheck(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	auditID, err := PathID(c, "paudit")
	if err != nil {
		return err
	}
	itemID, err := PathID(c, "pitem")
	if err != nil {
		return err
	}
	var req recordCheckRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	out, err := h.Audit.RecordCheck(httpx.Ctx(c), httpx.MustPrincipal(c), id, auditID, itemID, auditview.Check{Outcome: req.Outcome, Note: req.Note})
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// RunVerify runs the offline verifier on the vote's auditors' bundle (and the
// resolution PDF when issued) and keeps the result: 201 with OK or the first
// mismatch named.
func (h *AuditHandlers) RunVerify(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.Audit.RunVerify(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// RunRecount recounts a closed vote and keeps the result: 201.
func (h *AuditHandlers) RunRecount(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.Audit.RunRecount(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
