package api

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app/worklist"
	"gongzhi/handlers/httpx"
)

// WorklistHandlers are the week's work and the supervision chart data (issue 15).
type WorklistHandlers struct {
	Worklist *worklist.Service
}

// Week is the week's work of the caller's jurisdiction, oldest deadline first.
func (h *WorklistHandlers) Week(c *fiber.Ctx) error {
	w, err := h.Worklist.Week(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	return c.JSON(w)
}

// OpenVotes is the open votes' live participation against their quorum lines.
func (h *WorklistHandlers) OpenVotes(c *fiber.Ctx) error {
	list, err := h.Worklist.OpenVotes(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// Curve is one vote's cumulative participation over time.
func (h *WorklistHandlers) Curve(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	pts, err := h.Worklist.Curve(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(pts)
}

// Charts is the complaints by 三三三 stage and the estates by formation stage.
func (h *WorklistHandlers) Charts(c *fiber.Ctx) error {
	ctx, p := httpx.Ctx(c), httpx.MustPrincipal(c)
	complaints, err := h.Worklist.ComplaintStages(ctx, p)
	if err != nil {
		return err
	}
	stages, err := h.Worklist.FormationStages(ctx, p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"complaints": complaints, "formation": stages})
}
