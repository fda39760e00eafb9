package api

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app/supervision"
	"gongzhi/handlers/httpx"
)

// SupervisionHandlers serve the rates against targets (issue 15): the rates of a
// scope, the estates behind one rate, the targets and the estates' Party facts.
type SupervisionHandlers struct {
	Supervision *supervision.Service
}

// Rates is the report of ?org= (default: the caller's org) by the orgs of kind ?by=.
func (h *SupervisionHandlers) Rates(c *fiber.Ctx) error {
	org, err := queryID(c, "org")
	if err != nil {
		return err
	}
	rep, err := h.Supervision.Rates(httpx.Ctx(c), httpx.MustPrincipal(c), org, c.Query("by"))
	if err != nil {
		return err
	}
	return c.JSON(rep)
}

// Estates is the drill-down of ?indicator= in ?org= (at most ?limit=, 1000).
func (h *SupervisionHandlers) Estates(c *fiber.Ctx) error {
	org, err := queryID(c, "org")
	if err != nil {
		return err
	}
	limit, err := queryID(c, "limit")
	if err != nil {
		return err
	}
	d, err := h.Supervision.Estates(httpx.Ctx(c), httpx.MustPrincipal(c), org, supervision.Indicator(c.Query("indicator")), int(min(limit, 1000)))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// Targets lists the targets of ?org= (a district or the city; default the caller's).
func (h *SupervisionHandlers) Targets(c *fiber.Ctx) error {
	org, err := queryID(c, "org")
	if err != nil {
		return err
	}
	list, err := h.Supervision.Targets(httpx.Ctx(c), httpx.MustPrincipal(c), org)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"targets": list})
}

// SetTarget sets one target: 204.
func (h *SupervisionHandlers) SetTarget(c *fiber.Ctx) error {
	var in supervision.TargetInput
	if err := httpx.BindJSON(c, &in); err != nil {
		return err
	}
	if err := h.Supervision.SetTarget(httpx.Ctx(c), httpx.MustPrincipal(c), in); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// RecordParty records an estate's Party facts: 204.
func (h *SupervisionHandlers) RecordParty(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var in supervision.PartyInput
	if err := httpx.BindJSON(c, &in); err != nil {
		return err
	}
	if err := h.Supervision.RecordParty(httpx.Ctx(c), httpx.MustPrincipal(c), id, in); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
